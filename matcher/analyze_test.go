package matcher

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func terms(text string) []string {
	var out []string
	for _, t := range Analyze(text) {
		out = append(out, t.Term)
	}
	return out
}

func TestAnalyze(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"chinese bigrams", "热误差补偿", []string{"热误", "误差", "差补", "补偿"}},
		{"chinese single char run", "热，冷", []string{"热", "冷"}},
		{"chinese particle breaks run", "主轴的热变形", []string{"主轴", "热变", "变形"}},
		{"chinese punctuation", "激光焊接、熔池监测", []string{"激光", "光焊", "焊接", "熔池", "池监", "监测"}},
		{"english stop words and stems", "The welding of batteries is tested",
			[]string{"weld", "battery", "test"}},
		{"english stems agree", "compensation compensated compensate detection detects",
			[]string{"compensat", "compensat", "compensat", "detect", "detect"}},
		{"english plurals", "processes lasers cells analysis", []string{"process", "laser", "cell", "analysis"}},
		{"acronyms kept", "5G GaN SiC dPCR PEMFC", []string{"5g", "gan", "sic", "dpcr", "pemfc"}},
		{"model numbers", "X100-B2 model 2024", []string{"x100", "b2", "model", "2024"}},
		{"acronym not a stop word", "IT IS it is", []string{"it", "is"}},
		{"single letters dropped", "a b c x y", nil},
		{"mixed", "基于GaN的5G射频功放", []string{"基于", "gan", "5g", "射频", "频功", "功放"}},
		{"full width", "ＧａＮ器件", []string{"gan", "器件"}},
		{"empty", "", nil},
		{"invalid utf-8", "ab\xffcd 焊接", []string{"ab", "cd", "焊接"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := terms(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("Analyze(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestAnalyzeSpans(t *testing.T) {
	text := "主轴 Thermal 热误差"
	for _, tok := range Analyze(text) {
		src := text[tok.Start:tok.End]
		switch {
		case tok.Term == "thermal":
			if src != "Thermal" {
				t.Errorf("span of %q = %q", tok.Term, src)
			}
		case src != tok.Term:
			t.Errorf("span of %q = %q", tok.Term, src)
		}
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"热误差补偿", "GaN 5G dPCR", "ＧａＮ的器件", "welding lasers", "\xff\xfe", "a-b_c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		prev := -1
		for _, tok := range Analyze(text) {
			if tok.Term == "" || !utf8.ValidString(tok.Term) {
				t.Fatalf("bad term %q", tok.Term)
			}
			if tok.Start < 0 || tok.End > len(text) || tok.Start >= tok.End {
				t.Fatalf("bad span [%d,%d) of %q", tok.Start, tok.End, text)
			}
			if tok.Start < prev {
				t.Fatalf("terms out of order in %q", text)
			}
			prev = tok.Start
			if strings.ContainsAny(tok.Term, " \t\n,.") {
				t.Fatalf("term %q contains a separator", tok.Term)
			}
		}
		// Analysis is a function of the text.
		if a, b := terms(text), terms(text); !slices.Equal(a, b) {
			t.Fatalf("not deterministic: %q vs %q", a, b)
		}
	})
}
