// Package dataset imports and exports the dataset of formats.md §1 — the
// enterprises, universities, people, problems, offerings, blocked pairs and
// history an organizer brings to the year's fairs — as a JSON document, a
// folder (or zip) of CSV files, or an XLSX workbook.
//
// # Basics
//
// Load and Parse read a dataset; Validate checks it against the records
// already stored; Merge applies it to them; EncodeJSON, EncodeCSV and
// EncodeXLSX write it back out. An import is:
//
//	ds, err := dataset.Load(path)                 // syntax and fields
//	if err != nil { … }                           // *fairmatch.Error, EINVALID
//	if issues := dataset.Validate(ds, stored); len(issues) > 0 {
//		return fairmatch.Invalid("dataset "+path, issues)
//	}
//	stored = dataset.Merge(stored, ds)            // idempotent by id
//
// Nothing is changed unless the whole input is valid, and every bad record
// is reported at once: each issue names the file, the record (a JSON path
// like "problems[3]", or "row 7" of a CSV file or XLSX sheet, the header
// being row 1) and the field.
//
// # Parse and Validate
//
// Parsing is split in two on purpose. Parse (and Load) check what a record
// shows on its own: syntax, unknown keys, columns and sheets, types,
// required fields, enumerations, ids, fair ids, time windows, e-mail
// addresses and UTF-8. Validate adds what needs the other records — unique
// ids and resolving references — because whether "E001" exists depends on
// what is already stored, and a CSV folder may update people without
// repeating their enterprises. Validate repeats the field checks, so that
// a dataset built in code (or by the HTTP API) can be checked the same way.
//
// # Formats
//
// JSON is strict: an unknown or repeated key anywhere is an error naming
// its path, a number where text is expected is an error, null means absent.
// CSV files are UTF-8 (a byte order mark is accepted), comma-separated,
// with a header row of the field names; list cells separate their items
// with ";" or the full-width "；", and "available" reads
// "*=09:00-12:00;2027-03=14:00-17:00" ("2027-05=" with no window: not
// available at that fair). Cells are trimmed and blank rows skipped. An
// XLSX workbook has one sheet per kind with the same header row; cells are
// read as stored, not as displayed.
//
// # Caveats
//
//   - Parse refuses inputs over MaxInputSize (ErrTooLarge) and over
//     MaxRecords records (ErrTooManyRecords); errors list at most
//     MaxIssues issues.
//   - CSV and XLSX export prefix a cell starting with = + - @ (and tab or
//     carriage return) with an apostrophe so that a spreadsheet does not
//     run it as a formula; Parse removes such an apostrophe again, so that
//     exports round-trip. A CSV round trip loses leading and trailing
//     spaces of text, which the import trims.
//   - Text is limited to 32,767 characters, the most a spreadsheet cell
//     holds, and list items may not contain ";" or "；", so that every
//     valid dataset can be exported to all three formats.
package dataset
