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

// Taxonomy maps each ACLED event type to its sub-event types, in ACLED's
// order. It is the list every filter and every extractor rule is checked
// against.
var Taxonomy = []struct {
	Type     string
	SubTypes []string
}{
	{Battles, []string{"Armed clash", "Government regains territory", "Non-state actor overtakes territory"}},
	{ExplosionsRemote, []string{"Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"}},
	{ViolenceCivilians, []string{"Sexual violence", "Attack", "Abduction/forced disappearance"}},
	{Protests, []string{"Peaceful protest", "Protest with intervention", "Excessive force against protesters"}},
	{Riots, []string{"Violent demonstration", "Mob violence"}},
	{StrategicDevelopments, []string{"Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use", "Headquarters or base established", "Looting/property destruction", "Non-violent transfer of territory", "Other"}},
}

// IsEventType reports whether t is one of ACLED's six event types.
func IsEventType(t string) bool {
	for _, e := range Taxonomy {
		if e.Type == t {
			return true
		}
	}
	return false
}

// IsSubEventType reports whether s is a sub-event type of event type t.
func IsSubEventType(t, s string) bool {
	for _, e := range Taxonomy {
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
