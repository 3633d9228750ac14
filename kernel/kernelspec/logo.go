package kernelspec

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
)

// The logo: "Go" in white on a rounded square of Go's blue, drawn from the
// same geometry as an SVG and as PNGs. Coordinates are in a 64x64 box.
const LogoSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <rect width="64" height="64" rx="12" fill="#00ADD8"/>
  <path d="M 32.19 22.81 A 13 13 0 1 0 36 32 L 23 32" fill="none" stroke="#fff" stroke-width="5.5"/>
  <circle cx="47" cy="36" r="7.5" fill="none" stroke="#fff" stroke-width="5"/>
</svg>
`

var (
	goBlue = color.NRGBA{0x00, 0xAD, 0xD8, 0xff}
	white  = color.NRGBA{0xff, 0xff, 0xff, 0xff}
)

// LogoPNG draws the logo size pixels square.
func LogoPNG(size int) ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const samples = 4 // per axis, for smooth edges
	scale := 64 / float64(size)
	for py := range size {
		for px := range size {
			var bg, fg int
			for sy := range samples {
				for sx := range samples {
					x := (float64(px) + (float64(sx)+0.5)/samples) * scale
					y := (float64(py) + (float64(sy)+0.5)/samples) * scale
					if inRoundedSquare(x, y) {
						bg++
						if inLetters(x, y) {
							fg++
						}
					}
				}
			}
			n := samples * samples
			c := blend(goBlue, white, float64(fg)/float64(max(bg, 1)))
			c.A = uint8(255 * bg / n)
			img.SetNRGBA(px, py, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func inRoundedSquare(x, y float64) bool {
	const r = 12.0
	cx := math.Max(r, math.Min(64-r, x))
	cy := math.Max(r, math.Min(64-r, y))
	return math.Hypot(x-cx, y-cy) <= r
}

// inLetters is the SVG's strokes: G is an arc of radius 13 around (23,32)
// open at its upper right, with a bar in to the centre; o a ring.
func inLetters(x, y float64) bool {
	d := math.Hypot(x-23, y-32)
	angle := math.Atan2(y-32, x-23) // 0 points right, negative is up
	onArc := math.Abs(d-13) <= 2.75 && (angle >= 0 || angle <= -math.Pi/4)
	onBar := x >= 23 && x <= 36+2.75 && math.Abs(y-32) <= 2.75
	onO := math.Abs(math.Hypot(x-47, y-36)-7.5) <= 2.5
	return onArc || onBar || onO
}

func blend(a, b color.NRGBA, t float64) color.NRGBA {
	mix := func(p, q uint8) uint8 { return uint8(float64(p) + (float64(q)-float64(p))*t + 0.5) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}
