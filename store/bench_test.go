package store_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
)

// benchRecords is the size of each kind in the benchmarks: a large year's
// problems and offerings.
const benchRecords = 20_000

// benchDataset builds n problems and n offerings of realistic size.
func benchDataset(n int) *fairmatch.Dataset {
	words := strings.Fields("热误差 补偿 主轴 数控 机床 涂层 附着力 焊接 疲劳 传感器 视觉 检测 " +
		"电池 热管理 催化剂 膜分离 复合材料 轻量化 振动 噪声 预测 维护 控制 算法")
	pick := func(i, k int) []string {
		out := make([]string, k)
		for j := range out {
			out[j] = words[(i*7+j*13)%len(words)]
		}
		return out
	}
	ds := &fairmatch.Dataset{
		Problems:  make([]fairmatch.Problem, n),
		Offerings: make([]fairmatch.Offering, n),
	}
	for i := range n {
		ds.Problems[i] = fairmatch.Problem{
			ID: fmt.Sprintf("PR%06d", i), Enterprise: fmt.Sprintf("E%04d", i%800),
			Title:       strings.Join(pick(i, 3), ""),
			Description: strings.Repeat(strings.Join(pick(i, 6), "，")+"。", 4),
			Keywords:    pick(i, 4), Domains: []string{"manufacturing/machine-tools"},
			Wants: []string{"joint-rd", "testing"}, Urgency: "normal", Fairs: []string{"2027-03"},
			Attendees: []string{fmt.Sprintf("P-E%04d-1", i%800)},
		}
		ds.Offerings[i] = fairmatch.Offering{
			ID: fmt.Sprintf("O%06d", i), University: fmt.Sprintf("U%02d", i%40), Kind: "technology",
			Title:       strings.Join(pick(i+1, 3), ""),
			Description: strings.Repeat(strings.Join(pick(i+1, 6), "，")+"。", 4),
			Keywords:    pick(i+1, 4), Domains: []string{"manufacturing/machine-tools"}, TRL: 1 + i%9,
			Experts: []string{fmt.Sprintf("P-U%02d-%d", i%40, i%5)},
		}
	}
	return ds
}

// BenchmarkPutDataset imports 20,000 problems and 20,000 offerings into a new
// data file in one Update, commit and sync included.
func BenchmarkPutDataset(b *testing.B) {
	ds := benchDataset(benchRecords)
	records := len(ds.Problems) + len(ds.Offerings)
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		db, err := store.Open(filepath.Join(dir, fmt.Sprintf("bench-%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := db.Update(func(tx *store.Tx) error { return tx.PutDataset(ds) }); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(records*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkDataset reads back 20,000 problems and 20,000 offerings.
func BenchmarkDataset(b *testing.B) {
	db := storetest.Open(b)
	ds := benchDataset(benchRecords)
	records := len(ds.Problems) + len(ds.Offerings)
	if err := db.Update(func(tx *store.Tx) error { return tx.PutDataset(ds) }); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		err := db.View(func(tx *store.Tx) error {
			got, err := tx.Dataset()
			if err == nil && len(got.Problems)+len(got.Offerings) != records {
				err = fmt.Errorf("read %d records, want %d", len(got.Problems)+len(got.Offerings), records)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(records*b.N)/b.Elapsed().Seconds(), "records/s")
}
