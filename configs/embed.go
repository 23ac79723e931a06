// Package configs holds the example year plan, dataset and thesaurus, embedded
// so that `fairmatch serve --dev` works from any directory.
package configs

import "embed"

// ExamplePlan is fairmatch.yaml: the example year plan.
//
//go:embed fairmatch.yaml
var ExamplePlan []byte

// ExampleDataset is example-dataset.json: a fictional zone's enterprises,
// universities, people, problems and offerings.
//
//go:embed example-dataset.json
var ExampleDataset []byte

// ExampleThesaurus is example-thesaurus.yaml: enterprise and academic
// vocabulary that mean the same or are related (used by the matcher).
//
//go:embed example-thesaurus.yaml
var ExampleThesaurus []byte

// FS holds the example files under their own names, so that the example
// plan finds the thesaurus it names beside it.
//
//go:embed fairmatch.yaml example-dataset.json example-thesaurus.yaml
var FS embed.FS
