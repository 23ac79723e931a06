// Package configs holds the example year plan, dataset and thesaurus,
// embedded so that `fairmatch serve --dev` works from any directory.
package configs

import "embed"

// FS holds fairmatch.yaml (the example year plan), example-dataset.json (a
// fictional zone's enterprises, universities, people, problems and
// offerings) and example-thesaurus.yaml (enterprise and academic vocabulary
// that mean the same or are related), under their own names, so that the
// plan finds the thesaurus it names beside it.
//
//go:embed fairmatch.yaml example-dataset.json example-thesaurus.yaml
var FS embed.FS
