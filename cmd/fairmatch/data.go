package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/store"
)

func (m *Main) importDataset(ctx context.Context, args []string) error {
	fs := m.flags("import")
	dataDir := fs.String("data", "./data", "data directory")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("import: name one dataset: a .json file, a folder of CSV files or an .xlsx workbook")
	}
	path := fs.Arg(0)
	ds, err := dataset.Load(path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return err
	}
	db, err := store.Open(storePath(*dataDir))
	if err != nil {
		return withServeHint(err, "POST /api/import")
	}
	defer db.Close()
	merged, err := (&coordinator.Coordinator{DB: db}).Import(filepath.Base(path), ds)
	if err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	fmt.Fprintf(m.Stdout, "imported %s: %d enterprises, %d universities, %d people, %d problems, %d offerings (store now holds %d problems, %d offerings)\n",
		path, len(ds.Enterprises), len(ds.Universities), len(ds.People), len(ds.Problems), len(ds.Offerings),
		len(merged.Problems), len(merged.Offerings))
	return nil
}

// withServeHint adds, to a store that is in use, how to reach the running service instead.
func withServeHint(err error, api string) error {
	if fairmatch.ErrorCode(err) == fairmatch.EUNAVAILABLE {
		return fmt.Errorf("%w (while `fairmatch serve` runs, use its API: %s)", err, api)
	}
	return err
}

func (m *Main) export(ctx context.Context, args []string) error {
	fs := m.flags("export")
	dataDir := fs.String("data", "./data", "data directory")
	fair := fs.String("fair", "", "fair id, e.g. 2027-03")
	out := fs.String("out", "", "output directory")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := required(fs, "fair", "out"); err != nil {
		return err
	}
	db, err := openExisting(*dataDir)
	if err != nil {
		return withServeHint(err, "GET /api/fairs/"+*fair+"/agenda")
	}
	defer db.Close()
	n, a, err := exportFair(db, *fair, *out, m.now())
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "wrote %s: %d meetings, %d people\n", filepath.Join(*out, "agenda.json"), len(a.Meetings), n)
	return nil
}

// openExisting opens the store of a data directory that must exist.
func openExisting(dataDir string) (*store.DB, error) {
	path := storePath(dataDir)
	if _, err := os.Stat(path); err != nil {
		return nil, fairmatch.Errorf(fairmatch.ENOTFOUND, "no fairmatch store at %s", path)
	}
	return store.Open(path)
}

// backup copies the store: directly when no process holds it, else through
// the running service's API.
func (m *Main) backup(ctx context.Context, args []string) error {
	fs := m.flags("backup")
	dataDir := fs.String("data", "./data", "data directory")
	out := fs.String("out", "", "file to write")
	server := fs.String("server", "http://127.0.0.1:8080", "running service to ask when the store is in use")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := required(fs, "out"); err != nil {
		return err
	}
	db, err := openExisting(*dataDir)
	if err == nil {
		defer db.Close()
		if err := db.Backup(*out); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "wrote %s\n", *out)
		return nil
	}
	if fairmatch.ErrorCode(err) != fairmatch.EUNAVAILABLE {
		return err
	}
	token := m.Getenv("FAIRMATCH_ADMIN_TOKEN")
	if token == "" {
		return fmt.Errorf("%w; to back up through the running service at %s set FAIRMATCH_ADMIN_TOKEN", err, *server)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(*server, "/")+"/api/backup", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fairmatch.Errorf(fairmatch.EUNAVAILABLE, "backup through %s: %v", *server, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fairmatch.Errorf(fairmatch.EUNAVAILABLE, "backup through %s: %s: %s", *server, resp.Status, strings.TrimSpace(string(msg)))
	}
	tmp := *out + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup through %s: %w", *server, err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "wrote %s (%d bytes, from the running service)\n", *out, n)
	return nil
}
