package web

import (
	_ "embed"
	"html/template"
	"net/http"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
)

//go:embed index.html.tmpl
var indexSrc string

var indexTmpl = template.Must(template.New("index").Funcs(template.FuncMap{
	"local": func(t time.Time, tz string) string {
		if loc, err := time.LoadLocation(tz); err == nil {
			t = t.In(loc)
		}
		return t.Format("2006-01-02 15:04")
	},
}).Parse(indexSrc))

type indexFair struct {
	fairmatch.Fair
	Published bool
	Meetings  int
}

// index shows the year plan: fairs, their stages and states. It holds no
// personal data, so it needs no token.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	var fairs []indexFair
	err := s.DB.View(func(tx *store.Tx) error {
		fs, err := tx.Fairs()
		if err != nil {
			return err
		}
		for _, f := range fs {
			item := indexFair{Fair: f}
			if a, err := tx.Agenda(f.ID); err == nil {
				item.Published, item.Meetings = true, len(a.Meetings)
			}
			fairs = append(fairs, item)
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := indexTmpl.Execute(w, map[string]any{"Fairs": fairs}); err != nil {
		s.log().Error("render index", "err", err)
	}
}
