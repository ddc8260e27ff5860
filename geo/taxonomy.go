package geo

// Event types of ACLED's taxonomy.
const (
	Battles               = "Battles"
	ExplosionsRemote      = "Explosions/Remote violence"
	ViolenceCivilians     = "Violence against civilians"
	Protests              = "Protests"
	Riots                 = "Riots"
	StrategicDevelopments = "Strategic developments"
)

// EventClass is one ACLED event type with its sub-event types.
type EventClass struct {
	Type     string
	SubTypes []string
}

// taxonomy is ACLED's taxonomy, in ACLED's order.
var taxonomy = [...]EventClass{
	{Battles, []string{"Armed clash", "Government regains territory", "Non-state actor overtakes territory"}},
	{ExplosionsRemote, []string{"Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"}},
	{ViolenceCivilians, []string{"Sexual violence", "Attack", "Abduction/forced disappearance"}},
	{Protests, []string{"Peaceful protest", "Protest with intervention", "Excessive force against protesters"}},
	{Riots, []string{"Violent demonstration", "Mob violence"}},
	{StrategicDevelopments, []string{"Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use", "Headquarters or base established", "Looting/property destruction", "Non-violent transfer of territory", "Other"}},
}

// Taxonomy returns each ACLED event type with its sub-event types, in
// ACLED's order: the list every filter and every extractor rule is checked
// against. The slices are the caller's own, so no caller can change what
// the others see.
func Taxonomy() []EventClass {
	out := make([]EventClass, len(taxonomy))
	for i, c := range taxonomy {
		out[i] = EventClass{Type: c.Type, SubTypes: append([]string(nil), c.SubTypes...)}
	}
	return out
}

// IsEventType reports whether t is one of ACLED's six event types.
func IsEventType(t string) bool {
	for _, e := range taxonomy {
		if e.Type == t {
			return true
		}
	}
	return false
}

// IsSubEventType reports whether s is a sub-event type of event type t.
func IsSubEventType(t, s string) bool {
	for _, e := range taxonomy {
		if e.Type != t {
			continue
		}
		for _, x := range e.SubTypes {
			if x == s {
				return true
			}
		}
	}
	return false
}

// IsModality reports whether m is a valid modality.
func IsModality(m string) bool {
	return m == Occurred || m == Ongoing || m == Threatened
}
