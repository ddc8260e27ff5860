package extract

import (
	_ "embed"
	"fmt"
	"strings"

	"conflictmap/geo"
)

// ACLED sub-event types, as geo.Taxonomy spells them.
const (
	subAir       = "Air/drone strike"
	subShelling  = "Shelling/artillery/missile attack"
	subIED       = "Remote explosive/landmine/IED"
	subSuicide   = "Suicide bomb"
	subGrenade   = "Grenade"
	subChemical  = "Chemical weapon"
	subClash     = "Armed clash"
	subRegains   = "Government regains territory"
	subOvertakes = "Non-state actor overtakes territory"
	subAttack    = "Attack"
	subAbduction = "Abduction/forced disappearance"
	subSexual    = "Sexual violence"
	subPeaceful  = "Peaceful protest"
	subInterv    = "Protest with intervention"
	subExcessive = "Excessive force against protesters"
	subViolent   = "Violent demonstration"
	subMob       = "Mob violence"
	subAgreement = "Agreement"
	subArrests   = "Arrests"
	subDisrupted = "Disrupted weapons use"
	subLooting   = "Looting/property destruction"
	subTransfer  = "Non-violent transfer of territory"
	subOther     = "Other"
)

// refine says how context changes a trigger's type.
type refine uint8

const (
	rNone    refine = iota
	rAttack         // "attack", "raid", "targeted": the weapon or the target decides
	rStrike         // "strike", "struck": an air strike unless a missile or shell is named
	rBomb           // "bomb", "bombing": an explosive unless aircraft or a suicide bomber
	rProtest        // a protest: violence or police action changes it
)

// trigger is one entry of the event lexicon.
type trigger struct {
	words  []string // lower-case words of the phrase
	typ    string
	sub    string
	weak   bool // only an event when nothing stronger names one: "killed", "deaths"
	object bool // a place right after it is what it acted on: "shelled Kharkiv"
	// only: the trigger names an event only with a place right after it
	// ("took Bukavu"); no preposition ties it and it never falls back.
	only bool
	of   bool // "invasion of Rafah", "siege of El Fasher"
	from bool // "withdrew from Khan Younis"
	war  bool // "war": ongoing unless the text says it ended or broke out
	// dated: told mostly as background ("soldiers seized power in
	// Ouagadougou"), so an event only with a date of its own ("in 2020").
	dated  bool
	refine refine
}

// violent reports whether the trigger names political violence rather
// than a protest or a strategic development.
func (t *trigger) violent() bool {
	return t.typ == geo.Battles || t.typ == geo.ExplosionsRemote || t.typ == geo.ViolenceCivilians
}

// lexiconFile is the extractor's vocabulary: triggers, phrases that are no
// triggers, and the cue-word classes the rules read (see its header).
//
//go:embed lexicon.txt
var lexiconFile string

// cues is the vocabulary of lexiconFile, read once when the program starts;
// a broken file stops it there, which TestVocabularyFile catches first.
var cues = mustVocabulary(lexiconFile)

// vocabulary is a parsed lexicon file.
type vocabulary struct {
	triggers []*trigger
	not      [][]string
	sets     map[string]map[string]bool
}

func mustVocabulary(src string) *vocabulary {
	v, err := parseVocabulary(src)
	if err != nil {
		panic("extract: lexicon.txt: " + err.Error())
	}
	return v
}

// set returns the cue-word class name; a class the file lacks is a bug.
func (v *vocabulary) set(name string) map[string]bool {
	s, ok := v.sets[name]
	if !ok {
		panic("extract: lexicon.txt has no [set " + name + "]")
	}
	return s
}

// typeCodes are the one-letter event types of the [triggers] section.
var typeCodes = map[string]string{
	"E": geo.ExplosionsRemote, "B": geo.Battles, "V": geo.ViolenceCivilians,
	"P": geo.Protests, "R": geo.Riots, "S": geo.StrategicDevelopments,
}

// parseVocabulary reads a lexicon file. It rejects an unknown section, a
// malformed trigger line, an unknown type, sub-event type or flag, two
// refinements on one line, a phrase or a word given twice, and a set that
// is not the subset of another it says it is.
func parseVocabulary(src string) (*vocabulary, error) {
	v := &vocabulary{sets: map[string]map[string]bool{}}
	section, setName := "", ""
	seenTrigger := map[string]int{}
	subsets := map[string]string{}
	var setLine map[string]int
	for n, line := range strings.Split(src, "\n") {
		n++
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("line %d: unclosed section header %q", n, line)
			}
			head := strings.Fields(strings.Trim(line, "[]"))
			switch {
			case len(head) == 1 && (head[0] == "triggers" || head[0] == "not-triggers"):
				section = head[0]
			case len(head) >= 2 && head[0] == "set" && (len(head) == 2 || (len(head) == 4 && head[2] == "<")):
				section, setName = "set", head[1]
				if _, dup := v.sets[setName]; dup {
					return nil, fmt.Errorf("line %d: set %q given twice", n, setName)
				}
				v.sets[setName] = map[string]bool{}
				setLine = map[string]int{}
				if len(head) == 4 {
					subsets[setName] = head[3]
				}
			default:
				return nil, fmt.Errorf("line %d: unknown section %q", n, line)
			}
			continue
		}
		switch section {
		case "triggers":
			ts, err := parseTriggerLine(line)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			for _, t := range ts {
				key := strings.Join(t.words, " ")
				if first, dup := seenTrigger[key]; dup {
					return nil, fmt.Errorf("line %d: trigger %q already on line %d", n, key, first)
				}
				seenTrigger[key] = n
				v.triggers = append(v.triggers, t)
			}
		case "not-triggers":
			for _, p := range strings.Split(line, ",") {
				if w := strings.Fields(p); len(w) > 0 {
					v.not = append(v.not, w)
				}
			}
		case "set":
			for _, w := range strings.Split(line, ",") {
				w = strings.TrimSpace(w)
				if w == "" {
					continue
				}
				if strings.ContainsAny(w, " \t") {
					return nil, fmt.Errorf("line %d: set %s: %q is not one word", n, setName, w)
				}
				if first, dup := setLine[w]; dup {
					return nil, fmt.Errorf("line %d: set %s: %q already on line %d", n, setName, w, first)
				}
				setLine[w] = n
				v.sets[setName][w] = true
			}
		default:
			return nil, fmt.Errorf("line %d: text before any section", n)
		}
	}
	for sub, super := range subsets {
		sup, ok := v.sets[super]
		if !ok {
			return nil, fmt.Errorf("set %s: says it is a subset of %s, which is not in the file", sub, super)
		}
		for w := range v.sets[sub] {
			if !sup[w] {
				return nil, fmt.Errorf("set %s: %q is not in %s, of which it says it is a subset", sub, w, super)
			}
		}
	}
	if len(v.triggers) == 0 {
		return nil, fmt.Errorf("no [triggers]")
	}
	return v, nil
}

// parseTriggerLine reads "phrase, phrase | T | sub-event type | flags".
func parseTriggerLine(line string) ([]*trigger, error) {
	f := strings.Split(line, "|")
	if len(f) != 4 {
		return nil, fmt.Errorf("want 4 fields separated by |, got %d", len(f))
	}
	code, sub, flags := strings.TrimSpace(f[1]), strings.TrimSpace(f[2]), strings.TrimSpace(f[3])
	typ, ok := typeCodes[code]
	if !ok {
		return nil, fmt.Errorf("unknown event type %q (want one of E B V P R S)", code)
	}
	if !geo.IsSubEventType(typ, sub) {
		return nil, fmt.Errorf("%q is not a sub-event type of %s", sub, typ)
	}
	proto := trigger{typ: typ, sub: sub}
	for _, c := range flags {
		var ref refine
		switch c {
		case 'w':
			proto.weak = true
		case 'o':
			proto.object = true
		case 'f':
			proto.of = true
		case 'r':
			proto.from = true
		case 'W':
			proto.war = true
		case 'Y':
			proto.dated = true
		case 'O':
			proto.object, proto.only = true, true
		case 'A':
			ref = rAttack
		case 'S':
			ref = rStrike
		case 'B':
			ref = rBomb
		case 'P':
			ref = rProtest
		default:
			return nil, fmt.Errorf("unknown flag %q", c)
		}
		if ref != rNone {
			if proto.refine != rNone {
				return nil, fmt.Errorf("two refinements in flags %q", flags)
			}
			proto.refine = ref
		}
	}
	var out []*trigger
	for _, phrase := range strings.Split(f[0], ",") {
		words := strings.Fields(strings.ToLower(phrase))
		if len(words) == 0 {
			return nil, fmt.Errorf("empty phrase")
		}
		t := proto
		t.words = words
		out = append(out, &t)
	}
	return out, nil
}

// lexicon finds triggers in a token stream: phrases indexed by their first
// word, longest first.
type lexicon struct {
	byFirst map[string][]*trigger
	not     map[string][][]string
	// launched is the trigger of drones counted after a launch verb:
	// "launched 64 drones at Odesa".
	launched *trigger
}

// newLexicon indexes the vocabulary's triggers by their first word.
func newLexicon() *lexicon {
	lx := &lexicon{byFirst: map[string][]*trigger{}, not: map[string][][]string{}}
	for _, t := range cues.triggers {
		lx.byFirst[t.words[0]] = append(lx.byFirst[t.words[0]], t)
	}
	for _, l := range lx.byFirst {
		sortByLength(l)
	}
	for _, w := range cues.not {
		lx.not[w[0]] = append(lx.not[w[0]], w)
	}
	lx.launched = &trigger{words: []string{"drones"}, typ: geo.ExplosionsRemote, sub: subAir}
	return lx
}

func sortByLength(l []*trigger) {
	for i := 1; i < len(l); i++ {
		for j := i; j > 0 && len(l[j].words) > len(l[j-1].words); j-- {
			l[j], l[j-1] = l[j-1], l[j]
		}
	}
}

// match returns the longest trigger starting at token i and how many
// tokens it covers, or nil.
func (lx *lexicon) match(toks []tok, i, last int) (*trigger, int) {
	if toks[i].kind != tWord {
		return nil, 0
	}
	cands := lx.byFirst[toks[i].low]
	if len(cands) == 0 {
		return nil, 0
	}
	// "March" and "May" are months; capitalised "Rally" may be a name.
	if toks[i].cap && (toks[i].low == "march" || toks[i].low == "may") {
		return nil, 0
	}
	for _, c := range cands {
		if n := matchWords(toks, i, last, c.words); n > 0 {
			if lx.excluded(toks, i, last) {
				return nil, 0
			}
			return c, n
		}
	}
	return nil, 0
}

// excluded reports whether a phrase that names no event covers token i:
// "heart attack", "war crimes", "the dead".
func (lx *lexicon) excluded(toks []tok, i, last int) bool {
	for _, from := range []int{i - 1, i} {
		if from < 0 || toks[from].kind != tWord {
			continue
		}
		for _, w := range lx.not[toks[from].low] {
			if n := matchWords(toks, from, last, w); n > 0 && from+n > i {
				return true
			}
		}
	}
	return false
}

// matchWords returns how many tokens the phrase covers at i, or 0. A
// hyphenated word of the text may match a hyphenated phrase word.
func matchWords(toks []tok, i, last int, words []string) int {
	if i+len(words) > last {
		return 0
	}
	for k, w := range words {
		if toks[i+k].low != w {
			return 0
		}
	}
	return len(words)
}
