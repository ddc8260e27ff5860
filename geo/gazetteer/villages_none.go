//go:build novillages

package gazetteer

import "io/fs"

// embeddedVillages returns nothing: this build leaves the village tier out.
func embeddedVillages() fs.FS { return nil }
