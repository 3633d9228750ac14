package lessons_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gospeed/gospeed/lessons"
)

func ExampleFib() {
	fmt.Println(lessons.Fib(10), lessons.Fib(35))
	// Output: 55 9227465
}

func ExampleSumOfSquares() {
	fmt.Println(lessons.SumOfSquares(10)) // 0 + 1 + 4 + ... + 81
	// Output: 285
}

func ExampleRunRace() {
	fmt.Println(lessons.RunRace(lessons.RaceOptions{Fix: "mutex"}))
	fmt.Println(lessons.RunRace(lessons.RaceOptions{Fix: "channel", Goroutines: 10, Increments: 10}))
	// Output:
	// mutex: expected 100000, got 100000
	// channel: expected 100, got 100
}

func ExampleRunIO() {
	ctx := context.Background()
	for _, version := range []string{"sequential", lessons.ClientPerRequest} {
		res, err := lessons.RunIO(ctx, lessons.IOOptions{Version: version, Workers: 2, Requests: 6, Latency: time.Millisecond})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %d pages, %d bytes, %d connections\n", res.Version, res.Tasks, res.Bytes, res.Connections)
	}
	// Output:
	// sequential: 6 pages, 6144 bytes, 1 connections
	// client-per-request: 6 pages, 6144 bytes, 6 connections
}

func ExampleRunCPU() {
	res, err := lessons.RunCPU(context.Background(), lessons.CPUOptions{Version: "pooled", Workers: 2, N: 20, Tasks: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Job, res.Version, res.Workers, res.Tasks)
	// Output: cpu pooled 2 4
}

func ExampleStartSite() {
	site, err := lessons.StartSite(lessons.SiteOptions{PageSize: 10, Latency: time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer site.Close()
	sizes, err := lessons.DownloadSequential(context.Background(), site.URLs(3), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sizes, site.Requests(), "requests over", site.Connections(), "connection")
	// Output: [10 10 10] 3 requests over 1 connection
}

func ExampleResults_String() {
	rs := lessons.Results{
		{Job: "cpu", Version: "sequential", Workers: 1, Tasks: 20, Seconds: 1.0, GOMAXPROCS: 2},
		{Job: "cpu", Version: "pooled", Workers: 2, Tasks: 20, Seconds: 0.5, GOMAXPROCS: 2},
	}
	fmt.Println(rs)
	// Output:
	// job  version     workers  tasks  seconds  GOMAXPROCS
	// cpu  sequential  1        20     1.000    2
	// cpu  pooled      2        20     0.500    2
}

func ExampleSource() {
	src, err := lessons.Source("SumOfSquares")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Split(src, "\n")[0])
	// Output: // SumOfSquares is the sum of i*i for i below n: the 2019 edition's job.
}
