package extract

import (
	"fmt"
	"maps"
	"strings"
)

// Rule is one named decision of the extractor: a link from a trigger to a
// place, a veto that removes a candidate, a type refinement, a modality
// cue, a date form or a merge. Each can be switched off (Without), so that
// what each one is worth can be measured on annotated text.
type Rule struct {
	Name string // kebab-case, stable
	Kind string // link, veto, type, modality, date, merge
	Doc  string // what it does, in a sentence
}

// ruleList is the extractor's rules in the order they act on a sentence.
var ruleList = []Rule{
	{"veto-name", "veto", `a place in a dateline ("NAIROBI, Kenya, Jun 27 -"), inside a name ("Gaza Health Ministry") or modifying a noun ("US troops") is no location`},
	{"veto-doubtful", "veto", "a doubtful reading, or a town alone in a country the article never names, is a namesake unless across a border from the article's places"},
	{"veto-unreal", "veto", `a trigger the text denies or calls off ("no attacks"), a wish or talks to come, and undated background (a coup "in 2020") are no event of the report`},
	{"type-weapon-target", "type", "an attack, a strike or a bomb takes its type from the weapon and the target named near it; dead soldiers or fighters make a battle"},
	{"type-protest-conduct", "type", "a protest becomes a riot, or meets force, by what the crowd and the police did"},
	{"type-crowd", "type", "a clash with demonstrators or looting by a crowd is a violent demonstration"},
	{"type-same-weapon", "type", `a generic attack takes the weapon told after it in the sentence, or told just before as "the attack"`},
	{"type-during-setting", "type", `an operation or raid told as the setting of an arrest, seizure or looting ("arrested eight people during a raid") is that event`},
	{"modality-cues", "modality", `threat and modal words ("vowed to", "would") or a date after the report make an event threatened; repetition and duration ("daily", "since") make it ongoing`},
	{"modality-span", "modality", `an event told over a span ("during the war", "near-daily attacks") is ongoing`},
	{"date-context", "date", "a sentence without date words takes the recent date of the sentences before it"},
	{"link-nationwide", "link", `"nationwide protests" happen in the article's country`},
	{"link-preposition", "link", `a locative preposition after the trigger gives its place ("a strike in Jordan")`},
	{"link-object", "link", `a transitive trigger acts on the place right after it ("shelled Kharkiv")`},
	{"link-object-list", "link", `a list of places after a trigger goes on past a comma ("handed over the airport, the towns of X and Y")`},
	{"link-hit-verb", "link", `a trigger noun reaches a place through a hit verb ("explosions rocked Kyiv")`},
	{"veto-agent", "veto", `a place after "by AGENT in" is where the agent is ("attacks by militias in Iraq")`},
	{"link-state-agent-abroad", "link", `a state named as the agent is not in a place abroad ("strikes by India in Kotli")`},
	{"link-named-district", "link", `a name followed by its district and province ("Khar (Bajaur, Khyber Pakhtunkhwa)") is the place of that district the village tier holds, over namesakes elsewhere and readings that are no town; a longer name that opens with a known one ("Tungan Kudaku village (Shiroro, Niger state)") is read whole, at its district`},
	{"place-namesake-home", "link", `a provincial town abroad that is the article's only place in its country ("Toura" in a report on Mali) is the article's country's village of that name that the text places: in a province it names, else nearest its other towns`},
	{"link-unknown-place", "link", `a place the gazetteer does not hold is placed by what the text names around it: a named part of a town ("Baghdad's Green Zone") near the town, a village near its district or province`},
	{"link-modifier-passive", "link", `a town before a trigger noun ("the Jenin raid") or a passive subject ("Odesa was shelled")`},
	{"link-people-of", "link", `people named by their place act there: "residents of Jos protested"`},
	{"link-fronted", "link", `a sentence that opens with a place ("In Baghdad, ...") ties it to its first trigger`},
	{"link-place-undergoes", "link", `a town that opens its sentence as the subject of a verb of undergoing ("X, a port in the north, has endured repeated raids") is where the events of its predicate happened`},
	{"link-where", "link", `a relative "where" clause happens at the place it follows`},
	{"link-including", "link", `an "including" list after an area gives the towns of the event`},
	{"link-fallback", "link", "a violent trigger with no place of its own takes the places its clause puts it in"},
	{"link-source", "link", `an event told by a witness placed in a town ("a military source in X said the bomber detonated ...") happened there when it names no place of its own`},
	{"link-discourse", "link", `a sentence naming no place goes on telling the one before: "it", "the town" take its places; an event with its own date or toll takes the event place of the sentence before, else the country the article is about`},
	{"link-past-quote", "link", `quoted words that tell no event and name no place ("'We are afraid,' a resident said.") do not part a scene's sentences: the next sentence goes on at the scene told before them`},
	{"link-summary-back", "link", `a summing-up noun with its place ("Shops were looted and cars burned. The violence began in X") gives that place to the events of the sentence right before it that had none`},
	{"link-history-scene", "link", `an event the text dates a year or more before the report ("a siege in 2017") is history: it sets no scene for the sentences after it, nor takes the dead they count`},
	{"link-more-threat", "link", `a threat of more of the scene's violence with no place of its own ("They warned more strikes would follow") is threatened at the place of the event told just before`},
	{"link-second-target", "link", `one more of the targets an event just told hit, named at a place of its own in a sentence without a trigger ("Jets struck a radar site at X. A second radar site lay at Y"), is the same kind of event at that place`},
	{"link-scene-actor", "link", `an event of the sentence right after another, whose subject is a role noun alone ("The militants torched houses", "Looters ransacked shops"), goes on at that event's place`},
	{"link-continues", "link", `an event the sentence right after another says goes on ("Clashes continue in some rural areas") is at that event's place`},
	{"link-en-route", "link", `an event that stops people moving toward a town ("were heading to X when they were intercepted") is near that town, unless told between two towns`},
	{"link-restriction-scene", "link", `a curfew or state of emergency imposed on a place sets the scene that the next sentence's events go on at ("A curfew was imposed in X. Protesters torched ...")`},
	{"link-town-part", "link", `an event told in parts only a town has ("in several neighbourhoods", "in the streets") and no place of its own is in the town told before, not in the country`},
	{"link-town-official", "link", `an event a town's own official reports ("the X mayor said drones hit three city districts") is in that town when the sentence names no other place than its country or region`},
	{"link-counted", "link", `a trigger told with a number of its victims ("the abduction of nine guards", "130 people were detained") is an event of its own, carried to the scene before it as a dated one is`},
	{"place-side-provinces", "link", `"southern Syria" is the middle of the country's provinces on that side, not the side of its bounding box`},
	{"place-offshore", "link", `an event "off" a coast ("attacked off Yemen") is in the sea the text names there, on the part of it along that coast`},
	{"veto-covered", "veto", "a region or country that only says where the event's town is gives no event of its own"},
	{"kills-next-sentence", "merge", `the dead counted in the sentence after an event are that event's`},
	{"merge-retold", "merge", `"the attack" told again soon after, at a place holding the first, is the same event`},
	{"merge-another", "merge", `an event the text marks as one more ("another bomber", "a second blast", "fresh clashes") is not merged with the one before`},
	{"merge-site", "merge", `taking a site of a town ("seized the airport of X") is another event than taking the town`},
	{"merge-actors", "merge", `two tellings at one place whose acting sides are both named and differ ("Riot police fired tear gas", "the protesters threw fireworks") are two events`},
	{"merge-same-place", "merge", "the same place, type and modality told again at an agreeing date is the same event"},
}

// Rules returns the extractor's named rules in the order they act.
func Rules() []Rule {
	return append([]Rule(nil), ruleList...)
}

// Without returns an extractor with the named rules switched off; an
// unknown name is an error.
func (x *Extractor) Without(names ...string) (*Extractor, error) {
	known := map[string]bool{}
	for _, r := range ruleList {
		known[r.Name] = true
	}
	off := maps.Clone(x.off)
	if off == nil {
		off = map[string]bool{}
	}
	for _, n := range names {
		if !known[n] {
			return nil, fmt.Errorf("extract: no rule named %q (rules: %s)", n, ruleNames())
		}
		off[n] = true
	}
	y := *x
	y.off = off
	return &y, nil
}

func ruleNames() string {
	names := make([]string, len(ruleList))
	for i, r := range ruleList {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

// on reports whether the named rule is switched on.
func (r *reader) on(name string) bool {
	return !r.off[name]
}

// on reports whether the named rule is switched on, for the rules that act
// when an event is built rather than while a sentence is read.
func (x *Extractor) on(name string) bool {
	return !x.off[name]
}
