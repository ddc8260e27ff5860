//go:build !novillages

package gazetteer

import (
	"embed"
	"io/fs"
)

//go:embed data/villages/*.tsv.gz
var villageFiles embed.FS

// embeddedVillages returns the village tier's files; a build with the tag
// novillages leaves them out (a smaller binary that knows no villages).
func embeddedVillages() fs.FS {
	sub, err := fs.Sub(villageFiles, "data/villages")
	if err != nil {
		return nil
	}
	return sub
}
