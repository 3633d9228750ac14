package compiled

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// magic is the prefix of a compiled cell's first line.
const magic = "%%go"

// Is reports whether code is a compiled cell: its first line starts with "%%go".
func Is(code string) bool {
	first, _, _ := strings.Cut(code, "\n")
	first = strings.TrimSpace(first)
	return first == magic || strings.HasPrefix(first, magic+" ") || strings.HasPrefix(first, magic+"\t")
}

// Body returns the cell's Go source after the magic line and its byte offset
// in code, so that completion and inspect can work on the Go alone.
func Body(code string) (body string, offset int) {
	i := strings.IndexByte(code, '\n')
	if i < 0 {
		return "", len(code)
	}
	return code[i+1:], i + 1
}

// A mode is what a compiled cell does with its file.
type mode string

const (
	modeRun  mode = "run"
	modeTest mode = "test"
)

// command is a parsed magic line.
type command struct {
	mode       mode
	buildFlags []string // for go build or go test -c, as the go command spells them
	testFlags  []string // for the test binary, as -test.name=value
	args       []string // the program's arguments (run)
	race       bool
}

// usage is what a learner sees with a bad magic line.
const usage = `usage:
  %%go run [build flags] [-- program arguments]
  %%go test [build flags] [test flags]
build flags: -race -gcflags=FLAGS -ldflags=FLAGS -tags=LIST
test flags:  -bench=REGEXP -benchmem -benchtime=D -count=N -cpu=LIST -failfast
             -run=REGEXP -short -shuffle=off|on|N -skip=REGEXP -timeout=D -v`

// parseMagic parses the first line of a compiled cell.
func parseMagic(line string) (command, error) {
	words, err := splitWords(strings.TrimPrefix(strings.TrimSpace(line), magic))
	if err != nil {
		return command{}, err
	}
	if len(words) == 0 {
		return command{}, errors.New("say what to do: %%go run or %%go test")
	}
	cmd := command{mode: mode(words[0])}
	if cmd.mode != modeRun && cmd.mode != modeTest {
		return command{}, fmt.Errorf("unknown %%%%go command %q: use run or test", words[0])
	}
	words = words[1:]
	if cmd.mode == modeRun {
		for i, w := range words {
			if w == "--" {
				words, cmd.args = words[:i], words[i+1:]
				break
			}
		}
	}

	fs := flag.NewFlagSet("%%go "+string(cmd.mode), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	race := fs.Bool("race", false, "")
	for _, name := range []string{"gcflags", "ldflags", "tags"} {
		fs.String(name, "", "")
	}
	testBools := []string{"benchmem", "failfast", "short", "v"}
	testStrings := []string{"bench", "benchtime", "count", "cpu", "run", "shuffle", "skip", "timeout"}
	if cmd.mode == modeTest {
		for _, name := range testBools {
			fs.Bool(name, false, "")
		}
		for _, name := range testStrings {
			fs.String(name, "", "")
		}
	}
	if err := fs.Parse(words); err != nil {
		return command{}, err
	}
	if fs.NArg() > 0 {
		if cmd.mode == modeRun {
			return command{}, fmt.Errorf("unexpected %q: program arguments go after --", fs.Arg(0))
		}
		return command{}, fmt.Errorf("unexpected %q: %%%%go test takes flags only", fs.Arg(0))
	}
	cmd.race = *race
	fs.Visit(func(f *flag.Flag) {
		value := f.Value.String()
		switch f.Name {
		case "race":
			if *race {
				cmd.buildFlags = append(cmd.buildFlags, "-race")
			}
		case "gcflags", "ldflags", "tags":
			cmd.buildFlags = append(cmd.buildFlags, "-"+f.Name+"="+value)
		default:
			cmd.testFlags = append(cmd.testFlags, "-test."+f.Name+"="+value)
		}
	})
	return cmd, nil
}

// splitWords splits a magic line into words as a shell would for plain
// words and single- or double-quoted strings (no escapes, no variables), so
// that -gcflags='-m -l' is one flag.
func splitWords(s string) ([]string, error) {
	var words []string
	var word strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				word.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\r':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}
