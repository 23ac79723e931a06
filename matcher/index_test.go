package matcher

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/fairmatch/fairmatch"
)

// plantedDataset has problems each with one offering written for it (the
// planted answer, at a different university and with different wording than
// the problem) among distractors that share generic vocabulary.
func plantedDataset() (*fairmatch.Dataset, map[string]string) {
	ds := &fairmatch.Dataset{
		Universities: []fairmatch.University{{ID: "U01", Attendees: []string{"P-U01-0"}}, {ID: "U02"}, {ID: "U03"}},
		People: []fairmatch.Person{
			{ID: "P-U01-1", Org: "U01", Role: fairmatch.RoleExpert},
			{ID: "P-U02-1", Org: "U02", Role: fairmatch.RoleExpert},
			{ID: "P-U03-1", Org: "U03", Role: fairmatch.RoleExpert},
			{ID: "P-U03-9", Org: "U03", Role: fairmatch.RoleExpert},
		},
		Problems: []fairmatch.Problem{
			{ID: "PR1", Enterprise: "E1", Title: "数控机床主轴热变形补偿",
				Description: "加工时主轴温升导致热误差，精度下降，需要实时补偿方法。",
				Keywords:    []string{"热误差", "补偿"}, Domains: []string{"manufacturing/machine-tools"}},
			{ID: "PR2", Enterprise: "E1", Title: "铝合金激光焊接气孔",
				Description: "激光焊接铝合金时熔池不稳定，焊缝出现气孔。",
				Keywords:    []string{"激光焊接", "熔池"}, Domains: []string{"manufacturing/welding"}},
			{ID: "PR3", Enterprise: "E2", Title: "GaN power amplifier for 5G base stations",
				Description: "Our 5G radio units need a more efficient GaN amplifier with better linearity.",
				Keywords:    []string{"GaN", "power amplifier"}, Domains: []string{"electronics/rf"}},
			{ID: "PR4", Enterprise: "E2", Title: "PEMFC 燃料电池膜电极寿命",
				Description: "燃料电池堆在动态工况下膜电极衰减快。",
				Keywords:    []string{"PEMFC", "膜电极"}, Domains: []string{"energy/hydrogen"}},
			{ID: "PR5", Enterprise: "E3", Title: "食品中致病菌快速检测",
				Description: "需要在现场快速检测沙门氏菌，希望用数字PCR。",
				Keywords:    []string{"dPCR", "致病菌"}, Domains: []string{"food/safety"}},
		},
		Offerings: []fairmatch.Offering{
			// Planted answers.
			{ID: "O-PR1", University: "U01", Title: "机床热误差建模与实时补偿技术",
				Description: "基于温度传感器的主轴热误差预测模型，可在线补偿，提升加工精度。",
				Keywords:    []string{"热误差", "数控机床"}, Domains: []string{"manufacturing/machine-tools"}, Experts: []string{"P-U01-1"}},
			{ID: "O-PR2", University: "U02", Title: "激光焊接熔池监测与工艺优化",
				Description: "高速相机监测熔池，抑制铝合金焊缝气孔。",
				Keywords:    []string{"激光焊接", "熔池", "铝合金"}, Domains: []string{"manufacturing/welding"}, Experts: []string{"P-U02-1"}},
			{ID: "O-PR3", University: "U03", Title: "High-efficiency GaN RF power amplifiers",
				Description: "Doherty GaN amplifiers with digital predistortion for 5G base stations.",
				Keywords:    []string{"GaN", "power amplifier", "5G"}, Domains: []string{"electronics/rf"}, Experts: []string{"P-U03-1"}},
			{ID: "O-PR4", University: "U01", Title: "PEMFC 膜电极耐久性提升",
				Description: "低铂催化剂与膜电极结构设计，延长燃料电池寿命。",
				Keywords:    []string{"PEMFC", "膜电极", "燃料电池"}, Domains: []string{"energy/hydrogen"}, Experts: []string{"P-U01-1"}},
			{ID: "O-PR5", University: "U02", Title: "基于dPCR的致病菌现场快速检测",
				Description: "微流控数字PCR芯片，一小时内检测沙门氏菌等致病菌。",
				Keywords:    []string{"dPCR", "致病菌", "快速检测"}, Domains: []string{"food/safety"}, Experts: []string{"P-U02-1"}},
			// Distractors sharing generic words.
			{ID: "O-D1", University: "U03", Title: "机床结构优化设计",
				Description: "机床床身拓扑优化，提高刚度。", Keywords: []string{"机床", "优化"},
				Domains: []string{"manufacturing/machine-tools"}, Experts: []string{"P-U03-1"}},
			{ID: "O-D2", University: "U01", Title: "焊接机器人路径规划",
				Description: "弧焊机器人离线编程。", Keywords: []string{"焊接", "机器人"},
				Domains: []string{"manufacturing/welding"}},
			{ID: "O-D3", University: "U02", Title: "Power electronics for electric vehicles",
				Description: "SiC inverters for traction drives, high efficiency.", Keywords: []string{"SiC", "inverter"},
				Domains: []string{"electronics/power"}},
			{ID: "O-D4", University: "U03", Title: "锂电池寿命预测",
				Description: "电池健康状态估计与寿命预测。", Keywords: []string{"锂电池", "寿命"},
				Domains: []string{"energy/storage"}, Experts: []string{"P-U03-9"}},
			{ID: "O-D5", University: "U01", Title: "食品包装材料",
				Description: "可降解食品包装。", Keywords: []string{"包装"}, Domains: []string{"food/packaging"}},
		},
	}
	want := map[string]string{"PR1": "O-PR1", "PR2": "O-PR2", "PR3": "O-PR3", "PR4": "O-PR4", "PR5": "O-PR5"}
	return ds, want
}

func TestPlantedRanksFirst(t *testing.T) {
	ds, want := plantedDataset()
	ix := NewIndex(ds)
	for _, p := range ds.Problems {
		c := ix.Candidates(p.ID, 3)
		if len(c) == 0 || c[0].Offering != want[p.ID] {
			t.Errorf("%s: candidates %v, want %s first", p.ID, c, want[p.ID])
			continue
		}
		s, why, err := ix.Score(p.ID, want[p.ID])
		if err != nil {
			t.Fatal(err)
		}
		if s < 0.3 || s > 1 {
			t.Errorf("%s: planted score %.3f outside [0.3,1]", p.ID, s)
		}
		t.Logf("%s → %s %.3f  %s", p.ID, c[0].Offering, s, why)
		// Distractors stay below the documented threshold.
		for _, o := range ds.Offerings {
			if o.ID == want[p.ID] {
				continue
			}
			if s, _, _ := ix.Score(p.ID, o.ID); s >= 0.2 {
				t.Errorf("%s: distractor %s scores %.3f", p.ID, o.ID, s)
			}
		}
		for i := 1; i < len(c); i++ {
			if c[i].Score > c[i-1].Score {
				t.Errorf("%s: candidates not sorted: %v", p.ID, c)
			}
		}
	}
}

func TestScoreWhy(t *testing.T) {
	ds, _ := plantedDataset()
	ix := NewIndex(ds)
	for _, tc := range []struct {
		problem, target string
		contains        []string
	}{
		{"PR1", "O-PR1", []string{"热误差", "补偿", "domain manufacturing/machine-tools"}},
		{"PR2", "O-PR2", []string{"激光焊接", "熔池", "domain manufacturing/welding"}},
		{"PR3", "O-PR3", []string{"GaN", "power amplifier", "domain electronics/rf"}},
		{"PR2", "O-D2", []string{"焊接", "domain manufacturing/welding"}},
	} {
		_, why, err := ix.Score(tc.problem, tc.target)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range tc.contains {
			if !strings.Contains(why, c) {
				t.Errorf("why(%s,%s) = %q, want it to mention %q", tc.problem, tc.target, why, c)
			}
		}
	}
	if s, why, _ := ix.Score("PR5", "O-D3"); s != 0 || why != "no shared terms" {
		t.Errorf("unrelated pair: %v %q, want 0 and no shared terms", s, why)
	}
}

// A problem keyword found inside an offering's description counts as a
// phrase, and raises the score over the same offering without it.
func TestKeywordMatchesInsideText(t *testing.T) {
	mk := func(desc string) *fairmatch.Dataset {
		return &fairmatch.Dataset{
			Problems: []fairmatch.Problem{{ID: "P", Enterprise: "E", Title: "主轴精度", Keywords: []string{"热误差"}}},
			Offerings: []fairmatch.Offering{
				{ID: "O", University: "U", Title: "主轴精度提升", Description: desc},
				{ID: "X", University: "U", Title: "其他"},
			},
		}
	}
	with, _, _ := NewIndex(mk("通过测量误差与热误差建模")).Score("P", "O")
	without, _, _ := NewIndex(mk("通过测量误差与热变形建模")).Score("P", "O")
	if with <= without {
		t.Errorf("score with keyword in description %.3f, without %.3f", with, without)
	}
	_, why, _ := NewIndex(mk("通过测量误差与热误差建模")).Score("P", "O")
	if !strings.HasPrefix(why, "热误差") {
		t.Errorf("why %q does not start with the keyword", why)
	}
}

func TestScoreAggregates(t *testing.T) {
	ds, _ := plantedDataset()
	ix := NewIndex(ds)
	one := func(p, o string) float64 {
		s, _, err := ix.Score(p, o)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// U01 offers O-PR1, O-PR4, O-D2, O-D5; the aggregate is at least the best
	// and equals the documented formula.
	for _, tc := range []struct {
		problem, target string
		offerings       []string
	}{
		{"PR1", "U01", []string{"O-PR1", "O-PR4", "O-D2", "O-D5"}},
		{"PR4", "P-U01-1", []string{"O-PR1", "O-PR4"}},
		{"PR1", "P-U03-1", []string{"O-PR3", "O-D1"}},
	} {
		got, why, err := ix.Score(tc.problem, tc.target)
		if err != nil {
			t.Fatal(err)
		}
		var ss []float64
		for _, o := range tc.offerings {
			ss = append(ss, one(tc.problem, o))
		}
		best, bi := -1.0, 0
		for i, s := range ss {
			if s > best {
				best, bi = s, i
			}
		}
		rest := 1 - best
		for i, s := range ss {
			if i != bi {
				rest *= 1 - 0.2*s
			}
		}
		if want := 1 - rest; math.Abs(got-want) > 1e-12 {
			t.Errorf("Score(%s,%s) = %v, want %v", tc.problem, tc.target, got, want)
		}
		if got < best || got > 1 {
			t.Errorf("Score(%s,%s) = %v outside [best %v, 1]", tc.problem, tc.target, got, best)
		}
		if best > 0 && !strings.Contains(why, tc.offerings[bi]) {
			t.Errorf("why %q does not name the best offering %s", why, tc.offerings[bi])
		}
	}
	// One strong offering beats many weak ones.
	strong := one("PR2", "U02")
	weak := one("PR2", "U03")
	if strong <= weak {
		t.Errorf("U02 (planted) %.3f <= U03 (distractors) %.3f", strong, weak)
	}
	// A person without offerings scores 0.
	if s, _, err := ix.Score("PR1", "P-U01-0x"); err == nil || fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND || s != 0 {
		t.Errorf("unknown person: %v %v", s, err)
	}
	ds.People = append(ds.People, fairmatch.Person{ID: "P-idle", Role: fairmatch.RoleExpert})
	if s, _, err := NewIndex(ds).Score("PR1", "P-idle"); err != nil || s != 0 {
		t.Errorf("expert without offerings: %v %v", s, err)
	}
}

func TestScoreNotFound(t *testing.T) {
	ds, _ := plantedDataset()
	ix := NewIndex(ds)
	for _, tc := range []struct{ problem, target, id string }{
		{"PR9", "O-PR1", "PR9"},
		{"PR1", "nobody", "nobody"},
	} {
		_, _, err := ix.Score(tc.problem, tc.target)
		if fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND || !strings.Contains(err.Error(), tc.id) {
			t.Errorf("Score(%s,%s) error %v, want ENOTFOUND naming %s", tc.problem, tc.target, err, tc.id)
		}
	}
}

// Candidates agrees with Score and with a full scan, on random text.
func TestCandidatesMatchesFullScan(t *testing.T) {
	ds := syntheticDataset(rand.New(rand.NewPCG(1, 2)), 60, 400, 30)
	ix := NewIndex(ds)
	for _, p := range ds.Problems {
		type sc struct {
			id string
			s  float64
		}
		var all []sc
		for _, o := range ds.Offerings {
			s, _, err := ix.Score(p.ID, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if s < 0 || s > 1 {
				t.Fatalf("score %v outside [0,1]", s)
			}
			if s > 0 {
				all = append(all, sc{o.ID, s})
			}
		}
		// Stable order by score desc keeps dataset order for ties.
		for i := 1; i < len(all); i++ {
			for j := i; j > 0 && all[j].s > all[j-1].s; j-- {
				all[j], all[j-1] = all[j-1], all[j]
			}
		}
		const k = 10
		got := ix.Candidates(p.ID, k)
		if len(got) != min(k, len(all)) {
			t.Fatalf("%s: %d candidates, want %d", p.ID, len(got), min(k, len(all)))
		}
		for i, c := range got {
			if c.Offering != all[i].id || c.Score != all[i].s {
				t.Fatalf("%s: candidate %d = %v, want %v (%v)", p.ID, i, c, all[i], got)
			}
		}
	}
	if c := ix.Candidates("none", 5); c != nil {
		t.Errorf("unknown problem: %v", c)
	}
	if c := ix.Candidates(ds.Problems[0].ID, 0); c != nil {
		t.Errorf("k=0: %v", c)
	}
}

func TestScoreDeterministic(t *testing.T) {
	ds := syntheticDataset(rand.New(rand.NewPCG(3, 4)), 20, 100, 10)
	a, b := NewIndex(ds), NewIndex(ds)
	for _, p := range ds.Problems {
		for _, o := range ds.Offerings[:20] {
			s1, w1, _ := a.Score(p.ID, o.ID)
			s2, w2, _ := b.Score(p.ID, o.ID)
			if s1 != s2 || w1 != w2 {
				t.Fatalf("%s %s: %v %q vs %v %q", p.ID, o.ID, s1, w1, s2, w2)
			}
		}
	}
}

// syntheticDataset generates problems and offerings from a shared vocabulary
// of Chinese and English technical words.
func syntheticDataset(r *rand.Rand, problems, offerings, universities int) *fairmatch.Dataset {
	han := []rune("激光焊接熔池热误差补偿主轴机床精度电池膜电极催化剂检测芯片传感器算法模型控制系统材料涂层腐蚀疲劳裂纹振动噪声能耗优化")
	latin := []string{"GaN", "SiC", "5G", "dPCR", "PEMFC", "laser", "welding", "sensor", "battery", "coating",
		"corrosion", "fatigue", "vision", "robot", "control", "signal", "amplifier", "membrane", "catalyst", "inverter"}
	domains := []string{"manufacturing/welding", "manufacturing/machine-tools", "energy/hydrogen", "energy/storage",
		"electronics/rf", "electronics/power", "food/safety", "materials/coating"}
	word := func() string {
		if r.IntN(3) == 0 {
			return latin[r.IntN(len(latin))]
		}
		n := 2 + r.IntN(3)
		var b strings.Builder
		for range n {
			b.WriteRune(han[r.IntN(len(han))])
		}
		return b.String()
	}
	text := func(words int) string {
		parts := make([]string, words)
		for i := range parts {
			parts[i] = word()
		}
		return strings.Join(parts, " ")
	}
	list := func(n int, f func() string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f()
		}
		return out
	}
	ds := &fairmatch.Dataset{}
	for u := range universities {
		ds.Universities = append(ds.Universities, fairmatch.University{ID: fmt.Sprintf("U%03d", u)})
	}
	for i := range problems {
		ds.Problems = append(ds.Problems, fairmatch.Problem{
			ID: fmt.Sprintf("PR%05d", i), Enterprise: fmt.Sprintf("E%04d", i/3),
			Title: text(3), Description: text(12), Keywords: list(2, word),
			Domains: []string{domains[r.IntN(len(domains))]},
		})
	}
	for i := range offerings {
		u := r.IntN(max(universities, 1))
		ds.Offerings = append(ds.Offerings, fairmatch.Offering{
			ID: fmt.Sprintf("O%06d", i), University: fmt.Sprintf("U%03d", u),
			Title: text(4), Description: text(20), Keywords: list(3, word),
			Domains: []string{domains[r.IntN(len(domains))]},
			Experts: []string{fmt.Sprintf("P-U%03d-%d", u, r.IntN(5))},
		})
	}
	return ds
}

func TestEmptyDataset(t *testing.T) {
	ix := NewIndex(&fairmatch.Dataset{Problems: []fairmatch.Problem{{ID: "P", Enterprise: "E", Title: "激光焊接"}}})
	if c := ix.Candidates("P", 5); c != nil {
		t.Errorf("candidates without offerings: %v", c)
	}
	if _, _, err := ix.Score("P", "O"); fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
		t.Errorf("Score on empty index: %v", err)
	}
	props, left, err := Match(t.Context(), &fairmatch.Dataset{}, "2027-03", fairmatch.Limits{})
	if err != nil || props != nil || left != nil {
		t.Errorf("Match on empty dataset: %v %v %v", props, left, err)
	}
}
