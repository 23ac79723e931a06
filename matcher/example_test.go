package matcher_test

import (
	"context"
	"fmt"
	"os"

	"github.com/fairmatch/fairmatch/matcher"
)

func ExampleAssign() {
	pairs := []matcher.Pair{
		{Left: "E1", Right: "U1", Score: 0.9},
		{Left: "E1", Right: "U2", Score: 0.8},
		{Left: "E2", Right: "U1", Score: 0.3},
	}
	bounds := []matcher.Bound{{ID: "U1", Max: 1}}
	for _, obj := range []matcher.Objective{matcher.Total, matcher.Fair} {
		chosen, err := matcher.Assign(context.Background(), pairs, bounds, obj)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(obj)
		_ = matcher.WriteAssign(os.Stdout, chosen)
	}
	// Output:
	// total
	// left,right,score
	// E1,U1,0.9
	// E1,U2,0.8
	// fair
	// left,right,score
	// E1,U2,0.8
	// E2,U1,0.3
}
