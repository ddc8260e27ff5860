package gazetteer

import (
	"bytes"
	"encoding/binary"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// Both tiers keep a file as one string and index the offsets of its lines;
// these helpers read such a file.

// gunzipString decompresses a gzip file into one string.
func gunzipString(gz []byte) (string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	if len(gz) >= 4 {
		// gzip's trailer holds the uncompressed size (mod 2^32).
		sb.Grow(int(binary.LittleEndian.Uint32(gz[len(gz)-4:])))
	}
	if _, err := io.Copy(&sb, zr); err != nil {
		return "", err
	}
	return sb.String(), nil
}

// lineAt returns the line of text that starts at off.
func lineAt(text string, off uint32) string {
	t := text[off:]
	if nl := strings.IndexByte(t, '\n'); nl >= 0 {
		return t[:nl]
	}
	return t
}

// keyIn returns the key (first field) of line i of a sorted index.
func keyIn(text string, index []uint32, i int) string {
	line := lineAt(text, index[i])
	if tab := strings.IndexByte(line, '\t'); tab >= 0 {
		return line[:tab]
	}
	return line
}

// postingsIn finds key in a sorted index ("key<TAB>i,i,..." lines, numbers
// in base 36) and returns its row numbers below limit.
func postingsIn(text string, index []uint32, key string, limit int) []int {
	if key == "" {
		return nil
	}
	i := sort.Search(len(index), func(i int) bool { return keyIn(text, index, i) >= key })
	if i == len(index) || keyIn(text, index, i) != key {
		return nil
	}
	_, list, _ := strings.Cut(lineAt(text, index[i]), "\t")
	var out []int
	for list != "" {
		var item string
		item, list, _ = strings.Cut(list, ",")
		n, err := strconv.ParseInt(item, 36, 32)
		if err == nil && int(n) < limit {
			out = append(out, int(n))
		}
	}
	return out
}

// prefixIn reports whether some key of a sorted index starts with prefix.
func prefixIn(text string, index []uint32, prefix string) bool {
	i := sort.Search(len(index), func(i int) bool { return keyIn(text, index, i) >= prefix })
	return i < len(index) && strings.HasPrefix(keyIn(text, index, i), prefix)
}
