package matcher

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/fairmatch/fairmatch"
)

func TestParseThesaurus(t *testing.T) {
	th, err := ParseThesaurus("t.yaml", []byte(`
- term: 激光焊接
  synonyms: [激光焊, laser welding]
  narrower: [熔池监测]
- term: 5G 专网
  synonyms: [private 5G]
- term: 焊接缺陷
  narrower: [气孔]
  broader:
- term: 气孔
  synonyms: [porosity]
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		term          string
		synonyms, rel []string
	}{
		{"激光焊", []string{"激光焊接", "激光焊", "laser welding"}, []string{"熔池监测"}},
		{"Laser  Welding", []string{"激光焊接", "激光焊", "laser welding"}, []string{"熔池监测"}},
		{"5g专网", []string{"5G 专网", "private 5G"}, nil},
		{"ＰＯＲＯＳＩＴＹ", []string{"气孔", "porosity"}, []string{"焊接缺陷"}},
		{"熔池监测", []string{"熔池监测"}, []string{"激光焊接"}},
		{"焊接缺陷", []string{"焊接缺陷"}, []string{"气孔"}},
		{"unknown", nil, nil},
	} {
		if got := th.Synonyms(tc.term); !slices.Equal(got, tc.synonyms) {
			t.Errorf("Synonyms(%q) = %q, want %q", tc.term, got, tc.synonyms)
		}
		if got := th.Related(tc.term); !slices.Equal(got, tc.rel) {
			t.Errorf("Related(%q) = %q, want %q", tc.term, got, tc.rel)
		}
	}
	if th.Len() != 5 {
		t.Errorf("Len = %d, want 5", th.Len())
	}
	for _, empty := range []string{"", "# nothing\n", "~\n"} {
		if th, err := ParseThesaurus("e.yaml", []byte(empty)); err != nil || th.Len() != 0 {
			t.Errorf("empty %q: %v %v", empty, th.Len(), err)
		}
	}
}

func TestParseThesaurusErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml    string
		record, field string
		reason        string
	}{
		{"unknown key", "- term: a1\n  synonym: [b1]\n", "line 2", "synonym", `unknown key "synonym"`},
		{"missing term", "- synonyms: [b1]\n", "line 1", "term", "missing term"},
		{"empty term", "- term: \"  \"\n", "line 1", "term", "empty term"},
		{"null term", "- term:\n", "line 1", "term", "empty term"},
		{"list for term", "- term: [a1]\n", "line 1", "term", "want a string"},
		{"string for list", "- term: a1\n  broader: b1\n", "line 2", "broader", "want a list"},
		{"nested list", "- term: a1\n  narrower: [[b1]]\n", "line 2", "narrower", "want a string"},
		{"key twice", "- term: a1\n  term: b1\n", "line 2", "term", "given twice"},
		{"two groups", "- term: a1\n  synonyms: [B1]\n- term: c1\n  synonyms: [b 1]\n", "line 3", "synonyms", "already in the synonym group of line 1"},
		{"stop words only", "- term: the\n", "line 1", "", "no indexable word"},
		{"not a list", "term: a1\n", "line 1", "", "must be a list"},
		{"entry not a mapping", "- a1\n", "line 1", "", "must be a mapping"},
		{"bad yaml", "- term: [a1\n", "", "", "yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th, err := ParseThesaurus("th.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("no error, thesaurus of %d groups", th.Len())
			}
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
				t.Fatalf("code %q, want invalid: %v", fairmatch.ErrorCode(err), err)
			}
			issues := fairmatch.ErrorIssues(err)
			if !slices.ContainsFunc(issues, func(is fairmatch.Issue) bool {
				return is.File == "th.yaml" && is.Record == tc.record && is.Field == tc.field && strings.Contains(is.Reason, tc.reason)
			}) {
				t.Errorf("issues %+v, want th.yaml %q field %q: %q", issues, tc.record, tc.field, tc.reason)
			}
		})
	}
	// Every problem is reported at once.
	_, err := ParseThesaurus("th.yaml", []byte("- term: a1\n  foo: 1\n- synonyms: [x1]\n- term: b1\n  bar: 2\n"))
	if n := len(fairmatch.ErrorIssues(err)); n != 3 {
		t.Errorf("%d issues, want 3: %v", n, err)
	}
}

// exampleThesaurus is the thesaurus shipped in configs/.
func exampleThesaurus(t testing.TB) *Thesaurus {
	t.Helper()
	data, err := os.ReadFile("../configs/example-thesaurus.yaml")
	if err != nil {
		t.Fatal(err)
	}
	th, err := ParseThesaurus("example-thesaurus.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func TestExampleThesaurus(t *testing.T) {
	th := exampleThesaurus(t)
	if !slices.Contains(th.Synonyms("激光焊"), "激光焊接") || !slices.Contains(th.Synonyms("dpcr"), "数字PCR") {
		t.Errorf("synonyms of 激光焊 %q, of dPCR %q", th.Synonyms("激光焊"), th.Synonyms("dpcr"))
	}
	if !slices.Contains(th.Related("气孔"), "焊接缺陷") {
		t.Errorf("related of 气孔: %q", th.Related("气孔"))
	}
	// Perovskite solar cells and perovskite oxides are kept apart.
	if slices.Contains(th.Synonyms("钙钛矿"), "perovskite oxide") {
		t.Error("钙钛矿 and perovskite oxide are linked")
	}
}

// The issue's example: the enterprise and the professor use different words.
func TestThesaurusClosesGap(t *testing.T) {
	ds := &fairmatch.Dataset{
		Problems: []fairmatch.Problem{
			{ID: "P1", Enterprise: "E1", Title: "激光焊接焊缝有气孔"},
			{ID: "P2", Enterprise: "E1", Title: "Weld porosity in aluminium battery trays"},
		},
		Offerings: []fairmatch.Offering{
			{ID: "O1", University: "U1", Title: "激光焊熔池监测与缺陷控制"},
			{ID: "O2", University: "U2", Title: "焊缝打磨机器人"},
			{ID: "O3", University: "U3", Title: "铝合金焊接孔隙率控制"},
			{ID: "O4", University: "U4", Title: "电池托盘结构设计"},
		},
	}
	plain := NewIndex(ds)
	th := exampleThesaurus(t)
	ix := NewIndexWith(ds, Options{Thesaurus: th})
	for _, tc := range []struct {
		problem, offering, why string
	}{
		{"P1", "O1", "激光焊接 ≈ 激光焊"},
		{"P2", "O3", "porosity ≈ 孔隙率"}, // across languages
	} {
		before, _, _ := plain.Score(tc.problem, tc.offering)
		after, why, err := ix.Score(tc.problem, tc.offering)
		if err != nil {
			t.Fatal(err)
		}
		if after <= before || after > 1 {
			t.Errorf("%s/%s: %.3f without the thesaurus, %.3f with", tc.problem, tc.offering, before, after)
		}
		if !strings.Contains(why, tc.why) {
			t.Errorf("%s/%s: why %q does not name %q", tc.problem, tc.offering, why, tc.why)
		}
		t.Logf("%s/%s: %.3f → %.3f  %s", tc.problem, tc.offering, before, after, why)
	}
	// The relevant offerings overtake the one sharing only 焊缝.
	got := ix.Candidates("P1", 2)
	if len(got) != 2 || got[0].Offering == "O2" || got[1].Offering == "O2" {
		t.Errorf("candidates of P1: %v", got)
	}
	if _, why, _ := ix.Score("P1", "O3"); !strings.Contains(why, "气孔 ≈ 孔隙率") {
		t.Errorf("P1/O3: why %q", why)
	}
	// A related (narrower) term counts, less than a synonym.
	rel := NewIndexWith(&fairmatch.Dataset{
		Problems: []fairmatch.Problem{{ID: "P", Enterprise: "E", Title: "焊接缺陷"}},
		Offerings: []fairmatch.Offering{
			{ID: "syn", University: "U", Title: "welding defect"},
			{ID: "narrow", University: "U", Title: "porosity"},
			{ID: "none", University: "U", Title: "robots"},
		},
	}, Options{Thesaurus: th})
	syn, _, _ := rel.Score("P", "syn")
	narrow, why, _ := rel.Score("P", "narrow")
	none, _, _ := rel.Score("P", "none")
	if !(syn > narrow && narrow > none && none == 0) {
		t.Errorf("synonym %.3f, narrower %.3f, unrelated %.3f", syn, narrow, none)
	}
	if !strings.Contains(why, "焊接缺陷 ~ porosity") {
		t.Errorf("why of a narrower term: %q", why)
	}
}

// Pairs whose earlier meetings led to a contract score a little higher.
func TestHistoryBoost(t *testing.T) {
	ds := &fairmatch.Dataset{
		Problems: []fairmatch.Problem{{ID: "P", Enterprise: "E", Title: "热误差补偿"}},
		Offerings: []fairmatch.Offering{
			{ID: "O1", University: "U1", Title: "热误差补偿"},
			{ID: "O2", University: "U2", Title: "热误差补偿"},
			{ID: "O3", University: "U3", Title: "热误差补偿"},
			{ID: "O4", University: "U4", Title: "无关"},
		},
		History: []fairmatch.History{
			{Enterprise: "E", University: "U2", Fair: "2026-03", Outcome: "contract"},
			{Enterprise: "E", University: "U3", Fair: "2026-03", Outcome: "nda"},
			{Enterprise: "E", University: "U4", Fair: "2026-03", Outcome: "commercialized"},
		},
	}
	plain := NewIndex(ds)
	ix := NewIndexWith(ds, Options{History: true})
	if got := plain.Candidates("P", 1); got[0].Offering != "O1" {
		t.Fatalf("without history: %v", got)
	}
	if got := ix.Candidates("P", 1); got[0].Offering != "O2" {
		t.Errorf("with history the contract partner should come first: %v", got)
	}
	base, _, _ := plain.Score("P", "O2")
	for _, tc := range []struct {
		target string
		want   float64
	}{
		{"O1", base},                // no history
		{"O2", base + 0.1*(1-base)}, // contract
		{"O3", base},                // nda is not a contract
		{"O4", 0},                   // nothing shared: history creates no relevance
		{"U2", base + 0.1*(1-base)}, // the university aggregate
	} {
		got, _, err := ix.Score("P", tc.target)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Score(P, %s) = %v, want %v", tc.target, got, tc.want)
		}
	}
}

// With a thesaurus and history, Candidates still agrees with Score and a
// full scan, and scores stay in [0,1].
func TestCandidatesMatchesFullScanWithOptions(t *testing.T) {
	v := loadPlantedVocab(t)
	th, err := ParseThesaurus("planted.yaml", v.thesaurusYAML())
	if err != nil {
		t.Fatal(err)
	}
	set := generatePlanted(v, 11)
	ds := set.ds
	r := rand.New(rand.NewPCG(5, 5))
	for range 40 {
		ds.History = append(ds.History, fairmatch.History{
			Enterprise: ds.Problems[r.IntN(len(ds.Problems))].Enterprise,
			University: ds.Universities[r.IntN(len(ds.Universities))].ID,
			Outcome:    fairmatch.Outcomes[r.IntN(len(fairmatch.Outcomes))],
		})
	}
	ix := NewIndexWith(ds, Options{Thesaurus: th, History: true})
	again := NewIndexWith(ds, Options{Thesaurus: th, History: true})
	for _, p := range ds.Problems {
		type sc struct {
			id string
			s  float64
		}
		var all []sc
		for _, o := range ds.Offerings {
			s, why, err := ix.Score(p.ID, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if s < 0 || s > 1 {
				t.Fatalf("%s/%s: score %v outside [0,1]", p.ID, o.ID, s)
			}
			if s2, why2, _ := again.Score(p.ID, o.ID); s2 != s || why2 != why {
				t.Fatalf("%s/%s: not deterministic: %v %q, %v %q", p.ID, o.ID, s, why, s2, why2)
			}
			if s > 0 {
				all = append(all, sc{o.ID, s})
			}
		}
		slices.SortStableFunc(all, func(a, b sc) int {
			switch {
			case a.s > b.s:
				return -1
			case a.s < b.s:
				return 1
			}
			return 0
		})
		const k = 10
		got := ix.Candidates(p.ID, k)
		if len(got) != min(k, len(all)) {
			t.Fatalf("%s: %d candidates, want %d", p.ID, len(got), min(k, len(all)))
		}
		for i, c := range got {
			if c.Offering != all[i].id || c.Score != all[i].s {
				t.Fatalf("%s: candidate %d = %v, want %v", p.ID, i, c, all[i])
			}
		}
	}
}

func TestMatchWithThesaurus(t *testing.T) {
	ds := &fairmatch.Dataset{
		Problems:  []fairmatch.Problem{{ID: "P", Enterprise: "E", Title: "铝合金焊缝气孔"}},
		Offerings: []fairmatch.Offering{{ID: "O", University: "U", Title: "porosity control"}},
	}
	lim := fairmatch.Limits{MinRelevance: 0.1}
	props, _, err := Match(t.Context(), ds, "2027-03", lim)
	if err != nil || len(props) != 0 {
		t.Fatalf("without thesaurus: %v %v", props, err)
	}
	props, _, err = MatchWith(t.Context(), ds, "2027-03", lim, Options{Thesaurus: exampleThesaurus(t)})
	if err != nil || len(props) != 1 || props[0].University != "U" || !strings.Contains(props[0].Items[0].Why, "气孔 ≈ porosity") {
		t.Fatalf("with thesaurus: %+v %v", props, err)
	}
}

func FuzzParseThesaurus(f *testing.F) {
	f.Add([]byte("- term: 激光焊接\n  synonyms: [激光焊, laser welding]\n  narrower: [熔池监测]\n"))
	f.Add([]byte("- term: a1\n  synonyms: [B1]\n- term: c1\n  synonyms: [b 1]\n"))
	f.Add([]byte("- term: x\n  foo: [1, 2]\n"))
	f.Add([]byte("- &a {term: GaN}\n- *a\n"))
	if data, err := os.ReadFile("../configs/example-thesaurus.yaml"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		th, err := ParseThesaurus("fuzz.yaml", data)
		if err != nil {
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID || len(fairmatch.ErrorIssues(err)) == 0 {
				t.Fatalf("error without code or issues: %v", err)
			}
			return
		}
		// Every term finds its own group, and relations are symmetric.
		for _, g := range th.groups {
			for _, term := range g.terms {
				if !slices.Contains(th.Synonyms(term), term) {
					t.Fatalf("Synonyms(%q) = %q", term, th.Synonyms(term))
				}
				for _, r := range th.Related(term) {
					if !slices.Contains(th.Related(r), g.terms[0]) {
						t.Fatalf("%q related to %q but not back", term, r)
					}
				}
			}
		}
		// Matching its own terms finds them.
		for _, ph := range th.phrases {
			found := false
			th.match(ph.terms, func(i int32, from, to int) { found = found || (from == 0 && to == len(ph.terms)-1) })
			if !found && len(ph.terms) > 0 {
				// A longer phrase starting the same way may win; it must
				// then belong to some group.
				th.match(ph.terms, func(i int32, _, _ int) { found = true })
				if !found {
					t.Fatalf("phrase %q not found in itself", ph.text)
				}
			}
		}
	})
}
