package extract

import (
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
	rNone      refine = iota
	rAttack           // "attack", "raid", "targeted": the weapon or the target decides
	rStrike           // "strike", "struck": an air strike unless a missile or shell is named
	rBomb             // "bomb", "bombing": an explosive unless aircraft or a suicide bomber
	rProtest          // a protest: violence or police action changes it
	rTerritory        // "captured": who captured decides
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

// lexiconTable lists the triggers, one per line: phrase | type | sub-type |
// flags (w weak, o object, f "of", r "from", W war, Y dated, and a refinement: A
// attack, S strike, B bomb, P protest, T territory). Types are abbreviated
// E, B, V, P, R, S (ACLED's six, in geo.Taxonomy's order).
const lexiconTable = `
airstrike, airstrikes, air strike, air strikes, air-strike, air-strikes, air raid, air raids, air attack, air attacks, aerial attack, aerial attacks, aerial bombardment, drone strike, drone strikes, drone attack, drone attacks, drone-strike, bombing raid, bombing raids | E | Air/drone strike | o
shelling, shellings, shelled, shells, shell | E | Shelling/artillery/missile attack | of
artillery fire, artillery strike, artillery strikes, artillery attack, artillery attacks, mortar, mortars, mortar fire, mortar attack, mortar attacks, mortar shells, rocket, rockets, rocket fire, rocket attack, rocket attacks, missile, missiles, missile attack, missile attacks, missile strike, missile strikes, ballistic missile, ballistic missiles, cruise missile, cruise missiles, bombardment, bombardments, bombarded, bombarding, barrage, barrages, tank fire, glide bombs | E | Shelling/artillery/missile attack | f
roadside bomb, roadside bombs, car bomb, car bombs, car-bomb, truck bomb, truck bombs, explosive device, explosive devices, ied, ieds, landmine, landmines, land mine, land mines, blast, blasts, explosion, explosions, exploded, detonated, bomb attack, bomb attacks, blew up, blown up, blowing up, blow up | E | Remote explosive/landmine/IED |
bomb, bombs, bombing, bombings, explosives | E | Remote explosive/landmine/IED | ofB
bombed | E | Remote explosive/landmine/IED | ofoB
suicide bomber, suicide bombers, suicide bombing, suicide bombings, suicide attack, suicide attacks, suicide bomb, suicide bombs, suicide car bomb | E | Suicide bomb |
grenade, grenades, grenade attack, grenade attacks | E | Grenade |
chemical attack, chemical attacks, chemical weapons attack, gas attack | E | Chemical weapon |
strike, strikes, struck, striking | E | Air/drone strike | oS
artillery hit, artillery struck, artillery pounded, artillery shelled, shells hit, shells struck, shells landed, shell hit, shell struck, shell landed | E | Shelling/artillery/missile attack | o
drones hit, drone hit, drones struck, drone struck, drones targeted, drone targeted, drones slammed into, drone slammed into, drones attacked, drone attacked | E | Air/drone strike | o
attack, attacks, attacked, attacking, raid, raids, raided, raiding, targeted, targeting, opened fire, open fire, fired at, fired on, firing at, firing on, fires at, fires on | B | Armed clash | oA
clash, clashes, clashed, clashing, fighting, fought, battle, battles, battled, battling, gun battle, gun battles, gunfight, gunfights, firefight, firefights, shootout, shootouts, exchange of fire, exchanges of fire, exchanged fire, exchanges fire, exchanging fire, exchange fire, traded fire, trading fire, trade fire, trades fire, returned fire, gunfire, sniper fire, heavy fire, intense fire, heavy gunfire, intense gunfire, offensive, offensives, counteroffensive, counter-offensive, skirmish, skirmishes, hostilities, combat, incursion, incursions, ground operation, ground operations, military operation, military operations, security operation, security operations, search and clearance operation, search and clearance operations, clearance operation, clearance operations, search operation, search operations, counter-terrorism operation, counter-terrorism operations, counterterrorism operation, counterterrorism operations, ground offensive, ground invasion, came under fire, come under fire, under fire | B | Armed clash |
ambush, ambushes, ambushed, ambushing | B | Armed clash | oA
shooting, shootings, mass shooting, intrusion, stormed into, broke into, assault, assaults, assaulted | B | Armed clash | A
repelled, repulsed, fended off | B | Armed clash |
invasion, invaded, invade, invading, siege, besieged, besieging, encircled, stormed, storming, blockade, blockaded | B | Armed clash | of
war, wars | B | Armed clash | W
violence, fighting erupted, clashes erupted | B | Armed clash | W
recaptured, recapture, retook, retaken, retake, regained control, reclaimed control, regained, reclaimed, liberated, liberation | B | Government regains territory | of
captured, capture, seized, overran, overrun, took control, taken control, take control, seized control, taking control, fell to, fall of | B | Non-state actor overtakes territory | ofT
took, take, takes, taking, entered, enter, enters, entering | B | Non-state actor overtakes territory | OT
advance on, advanced on, advancing on, advances on, advance towards, advanced towards, advancing towards, advance toward, advanced toward, advancing toward, advance into, advanced into, advancing into, pushed into, pushing into, push into | B | Armed clash | o
massacre, massacres, massacred, murdered, executed, execution, executions, shot dead, gunned down, machete attack, machete attacks, stabbing, stabbings, beheaded, assassinated, assassination, tortured, beaten to death, hacked to death, burned alive | V | Attack | o
killed, killing, killings, kill, kills, dead, deaths, death, died, slain, wounded, injured | V | Attack | w
abducted, abduction, abductions, abduct, abducting, kidnapped, kidnapping, kidnappings, kidnap, kidnappers, taken hostage, took hostage, taking hostage, held hostage, hostage-taking, hijacked, hijack, hijacking, hijackings, hijackers, seized hostages | V | Abduction/forced disappearance |
disappearance, disappearances, forced disappearance, forced disappearances | V | Abduction/forced disappearance | Y
defeat, defeats | B | Armed clash | Y
raped, rape, rapes, sexual violence, sexual assault, sexual assaults | V | Sexual violence |
protest, protests, protested, protesting, protesters, protestors, demonstration, demonstrations, demonstrators, demonstrated, rally, rallies, rallied, march, marched, marchers, sit-in, sit-ins, general strike, took to the streets, hunger strike | P | Peaceful protest | P
riot, riots, rioted, rioting, rioters | R | Violent demonstration |
mob, mobs, rampage, rampaged, lynched, lynching | R | Mob violence |
agreement, agreements, peace deal, peace deals, peace agreement, peace accord, ceasefire, ceasefires, cease-fire, cease-fires, truce, truces, accord, accords, prisoner exchange, prisoner swap, signed a deal, struck a deal, reached a deal | S | Agreement |
arrested, arrest, arrests, detained, rounded up, apprehended, detentions, taken into custody | S | Arrests |
intercepted, intercept, interception, interceptions, shot down, downed, defused, foiled, thwarted | S | Disrupted weapons use |
looted, looting, looters, ransacked, plundered, pillaged, vandalised, vandalized, torched, set fire, set ablaze, set alight, set on fire, burned down, burnt down, razed, demolished, demolition, demolitions, bulldozed, arson | S | Looting/property destruction |
withdrew, withdrawal, withdrawn, withdraw, withdraws, withdrawing, pulled out, pullout, pull-out, handed over, retreated, retreat | S | Non-violent transfer of territory | r
collided, collision, rammed, rams, ramming | S | Other |
set up base, set up a base, established a base, established bases | S | Headquarters or base established |
coup, coups, coup d'etat, coup d'état, putsch, seized power, seize power, seizing power, seizes power, took power, take power, taking power | S | Other | Y
meeting, meetings, met, meet, meets, talks, negotiations, ceasefire talks, cease-fire talks, truce talks, peace talks, ceasefire negotiations, cease-fire negotiations, peace negotiations, ceasefire proposal, cease-fire proposal, summit, news conference, press conference, state of emergency, curfew, martial law | S | Other |
`

// notTriggerPhrases are phrases that contain a trigger word but name no
// event.
const notTriggerPhrases = `
	heart attack, panic attack, anxiety attack, strike a balance, struck a chord, strike a chord,
	war crimes, war crime, war criminal, war criminals, war of words, price war, trade war,
	war cabinet, war effort, war-torn, war footing, war chest, legal battle, court battle,
	political battle, uphill battle, battle of wills, attack dogs, dead end, deadline,
	fighting chance, the dead, meeting point, bomb shelter, bomb shelters,
	death toll, death tolls,
	air raid sirens, air raid siren, air raid alert, air raid alerts, missile defense, missile defence,
	missile defenses, missile defences, rocket launchers, missile launchers,
`

// lexicon finds triggers in a token stream: phrases indexed by their first
// word, longest first.
type lexicon struct {
	byFirst map[string][]*trigger
	not     map[string][][]string
	// launched is the trigger of drones counted after a launch verb:
	// "launched 64 drones at Odesa".
	launched *trigger
}

// newLexicon parses lexiconTable; it panics on a malformed line, which a
// test catches.
func newLexicon() *lexicon {
	lx := &lexicon{byFirst: map[string][]*trigger{}, not: map[string][][]string{}}
	typeCodes := map[string]string{
		"E": geo.ExplosionsRemote, "B": geo.Battles, "V": geo.ViolenceCivilians,
		"P": geo.Protests, "R": geo.Riots, "S": geo.StrategicDevelopments,
	}
	for _, line := range strings.Split(lexiconTable, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 4 {
			panic("extract: bad lexicon line: " + line)
		}
		typ, sub, flags := typeCodes[strings.TrimSpace(f[1])], strings.TrimSpace(f[2]), strings.TrimSpace(f[3])
		if !geo.IsSubEventType(typ, sub) {
			panic("extract: lexicon sub-event type not in the taxonomy: " + line)
		}
		for _, phrase := range strings.Split(f[0], ",") {
			t := &trigger{words: strings.Fields(phrase), typ: typ, sub: sub}
			for _, c := range flags {
				switch c {
				case 'w':
					t.weak = true
				case 'o':
					t.object = true
				case 'f':
					t.of = true
				case 'r':
					t.from = true
				case 'W':
					t.war = true
				case 'Y':
					t.dated = true
				case 'O':
					t.object, t.only = true, true
				case 'A':
					t.refine = rAttack
				case 'S':
					t.refine = rStrike
				case 'B':
					t.refine = rBomb
				case 'P':
					t.refine = rProtest
				case 'T':
					t.refine = rTerritory
				}
			}
			lx.byFirst[t.words[0]] = append(lx.byFirst[t.words[0]], t)
		}
	}
	for _, l := range lx.byFirst {
		sortByLength(l)
	}
	for _, p := range strings.Split(notTriggerPhrases, ",") {
		w := strings.Fields(p)
		if len(w) == 0 {
			continue
		}
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
