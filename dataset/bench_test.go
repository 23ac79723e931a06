package dataset_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	fm "github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/dataset"
)

// generated returns a dataset of about the size of a large zone: 20,000
// problems of 2,000 enterprises and 20,000 offerings of 50 universities.
func generated() *fm.Dataset {
	rng := rand.New(rand.NewPCG(1, 2))
	terms := strings.Fields("热误差 补偿 数控 主轴 石墨烯 涂层 防腐 电池 低温 储能 热管理 检测 传感器 " +
		"machine-vision 机器视觉 焊接 铸造 轴承 润滑 减速器 光伏 氢能 催化 膜分离 污水 固废 煤化工 碳纤维")
	pick := func(n int) []string {
		out := make([]string, 0, n)
		for range n {
			out = append(out, terms[rng.IntN(len(terms))])
		}
		return out
	}
	wants := []string{"joint-rd", "license", "consulting", "testing", "talent"}
	ds := &fm.Dataset{}
	for i := range 2000 {
		ds.Enterprises = append(ds.Enterprises, fm.Enterprise{ID: fmt.Sprintf("E%04d", i), Name: fmt.Sprintf("长治第%d精密制造有限公司", i)})
	}
	for i := range 50 {
		ds.Universities = append(ds.Universities, fm.University{ID: fmt.Sprintf("U%02d", i), Name: fmt.Sprintf("第%d大学", i)})
	}
	for i := range 20000 {
		kw := pick(3)
		ds.Problems = append(ds.Problems, fm.Problem{
			ID: fmt.Sprintf("PR%05d", i), Enterprise: fmt.Sprintf("E%04d", rng.IntN(2000)),
			Title:       kw[0] + kw[1] + "问题",
			Description: strings.Join(pick(12), "，") + "。需要解决生产中的技术难题, with some English text.",
			Keywords:    kw, Domains: []string{"manufacturing/" + kw[2]}, Wants: []string{wants[rng.IntN(len(wants))]},
			Urgency: "normal", Fairs: []string{"2027-03"},
		})
		kw = pick(4)
		ds.Offerings = append(ds.Offerings, fm.Offering{
			ID: fmt.Sprintf("O%05d", i), University: fmt.Sprintf("U%02d", rng.IntN(50)), Kind: "technology",
			Title:       kw[0] + kw[1] + "技术",
			Description: strings.Join(pick(15), "；") + "。成果成熟度高，可转化。",
			Keywords:    kw, Domains: []string{"materials/" + kw[3]}, TRL: 1 + rng.IntN(9),
		})
	}
	return ds
}

// BenchmarkParse parses the generated dataset in each format and reports
// records/s (MB/s comes from SetBytes).
func BenchmarkParse(b *testing.B) {
	ds := generated()
	records := len(ds.Enterprises) + len(ds.Universities) + len(ds.Problems) + len(ds.Offerings)
	jsonData, err := dataset.EncodeJSON(ds)
	if err != nil {
		b.Fatal(err)
	}
	files, err := dataset.EncodeCSV(ds)
	if err != nil {
		b.Fatal(err)
	}
	xlsxData, err := dataset.EncodeXLSX(ds)
	if err != nil {
		b.Fatal(err)
	}
	inputs := []struct {
		name string
		data []byte
	}{
		{"json", jsonData},
		{"zip", zipOf(b, "", files)},
		{"xlsx", xlsxData},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			for b.Loop() {
				got, err := dataset.Parse("bench."+in.name, in.data)
				if err != nil {
					b.Fatal(err)
				}
				if len(got.Problems) != len(ds.Problems) {
					b.Fatalf("%d problems", len(got.Problems))
				}
			}
			b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
	b.Run("validate", func(b *testing.B) {
		for b.Loop() {
			if issues := dataset.Validate(ds, nil); issues != nil {
				b.Fatal(issues[0])
			}
		}
		b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}
