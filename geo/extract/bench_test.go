package extract

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"conflictmap/geo"
)

// cpuTime returns the process's user and system CPU time so far: on a
// shared machine, the CPU an operation took says more than the wall time
// it waited for a core.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric((cpuTime(b)-start).Seconds()/float64(b.N), "cpu-s/op")
}

// thousandWords returns the sample article cut after the sentence that
// reaches 1,000 words.
func thousandWords(b *testing.B) string {
	text, err := os.ReadFile("../../cmd/conflictmap/sample/iran-reins-in-militias.txt")
	if err != nil {
		b.Fatal(err)
	}
	words := 0
	var out strings.Builder
	for _, line := range strings.SplitAfter(string(text), "\n") {
		for _, s := range strings.SplitAfter(line, ". ") {
			out.WriteString(s)
			words += len(strings.Fields(s))
			if words >= 1000 {
				return out.String()
			}
		}
	}
	b.Fatalf("the sample has %d words, fewer than 1,000", words)
	return ""
}

// BenchmarkExtract measures whole-article extraction (place mentions and
// their resolution included) on a 1,000-word article.
//
//	go test -run '^$' -bench Extract -cpu 1 ./geo/extract/
func BenchmarkExtract(b *testing.B) {
	x := extractorForTest(b)
	a := geo.Article{Text: thousandWords(b), Published: "2024-02-27"}
	a.ID = geo.ArticleID("", a.Text)
	b.SetBytes(int64(len(a.Text)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime(b)
	for i := 0; i < b.N; i++ {
		if _, err := x.Extract(a); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
	reportCPU(b, cpu)
}

// BenchmarkExtractRules measures the event rules alone, on place mentions
// found once: what extraction costs beyond the gazetteer.
func BenchmarkExtractRules(b *testing.B) {
	x := extractorForTest(b)
	a := geo.Article{Text: thousandWords(b), Published: "2024-02-27"}
	a.ID = geo.ArticleID("", a.Text)
	mentions := x.mentions(a.Text)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pub, _ := publication(a.Published)
		x.read(b.Context(), a, a.Text, pub, append([]placeRef(nil), mentions...))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
}

// megabyteArticle returns an article of about 1 MB made of distinct
// sentences: events, places, dates and numbers in varied combinations, the
// shape of a very long live blog.
func megabyteArticle() string {
	verbs := []string{"Gunmen killed %d villagers in %s on Monday.", "Rebels clashed with troops near %[2]s, leaving %[1]d dead.",
		"A drone strike hit a market in %[2]s on Tuesday, killing %[1]d people.", "Police arrested %d protesters in %s on Friday.",
		"Officials in %[2]s said %[1]d families had fled.", "Artillery shelled the outskirts of %[2]s for %[1]d hours."}
	places := []string{"Kharkiv", "Goma", "Gao", "Mogadishu", "Khartoum", "Aleppo", "Kandahar", "Maiduguri", "Kyiv", "Rafah",
		"Nairobi", "Bamako", "Juba", "Sanaa", "Tripoli", "Mosul", "Kidal", "Bunia", "Beni", "Odesa", "Kherson", "Sumy",
		"Bakhmut", "Donetsk", "Mariupol", "Zaporizhzhia", "Dnipro", "Kramatorsk", "Pokrovsk", "Avdiivka", "Belgorod",
		"Kursk", "Khan Younis", "Jenin", "Nablus", "Hebron", "Tulkarem", "Beirut", "Tyre", "Sidon", "Baalbek", "Homs",
		"Hama", "Idlib", "Deir ez-Zor", "Raqqa", "Kirkuk", "Erbil", "Basra", "Aden", "Taiz", "Hodeidah", "Marib",
		"El Fasher", "Omdurman", "Wad Medani", "Nyala", "Kaduna", "Zaria", "Kano", "Bama", "Gwoza", "Diffa", "Niamey",
		"Ouagadougou", "Djibo", "Kaya", "Timbuktu", "Mopti", "Menaka", "Bossaso", "Kismayo", "Baidoa", "Beledweyne",
		"Quetta", "Peshawar", "Bannu", "Kabul", "Herat", "Jalalabad", "Port-au-Prince", "Culiacan", "Tibu", "Cucuta",
		"Bukavu", "Uvira", "Butembo", "Rutshuru", "Lashio", "Myitkyina", "Sittwe", "Marawi", "Cotabato", "Pemba"}
	var b strings.Builder
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, verbs[i%len(verbs)], i/len(verbs)+2, places[(i*7+i/len(places))%len(places)])
		if i%5 == 4 {
			b.WriteString("\n\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// BenchmarkExtractMegabyte measures a 1 MB article of about 27,000 distinct
// sentences: the cost must grow with the text, not faster.
//
//	go test -run '^$' -bench ExtractMegabyte -benchtime 3x -cpu 1 ./geo/extract/
func BenchmarkExtractMegabyte(b *testing.B) {
	x := extractorForTest(b)
	a := geo.Article{Text: megabyteArticle(), Published: "2024-02-27"}
	a.ID = geo.ArticleID("", a.Text)
	b.SetBytes(int64(len(a.Text)))
	b.ResetTimer()
	cpu := cpuTime(b)
	for i := 0; i < b.N; i++ {
		if _, err := x.Extract(a); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}
