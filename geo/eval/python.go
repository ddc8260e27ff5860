package eval

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The scorer's figures are compared with score.py's output byte for byte,
// so values print the way Python prints them: floats in their shortest
// repr with ".0" when integral, None for a missing value, and JSON written
// as json.dump(indent=2) writes it (ASCII only, keys in a fixed order).

// pyTruthy is Python's truth value of a decoded JSON value.
func pyTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		f, err := x.Float64()
		return err != nil || f != 0
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// pyNumber returns a number-like value as a float, and whether it is one
// (Python compares True == 1 and 3 == 3.0).
func pyNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return f, true // ±Inf or 0, as Python's float() would say
			}
			return 0, false
		}
		return f, true
	case float64:
		return x, true
	case int:
		return float64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// pyEqual is Python's == between decoded JSON values.
func pyEqual(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if fa, ok := pyNumber(a); ok {
		fb, ok := pyNumber(b)
		return ok && fa == fb
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !pyEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !pyEqual(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// pyStr is Python's str() of a decoded JSON value.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	case json.Number:
		return pyNumberString(x)
	case float64:
		return pyFloat(x)
	case int:
		return strconv.Itoa(x)
	}
	var b strings.Builder
	writePyJSON(&b, v, -1, 0)
	return b.String()
}

// pyOr is str(v), or the empty string when v is falsy, as in Python's
// `v or ""`.
func pyOr(v any) string {
	if !pyTruthy(v) {
		return ""
	}
	return pyStr(v)
}

// pyNumberString prints a JSON number literal the way Python prints what
// json.load made of it: integers exactly, others as floats.
func pyNumberString(n json.Number) string {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		var i big.Int
		if _, ok := i.SetString(s, 10); ok {
			return i.String()
		}
	}
	f, _ := pyNumber(n)
	return pyFloat(f)
}

// pyFloat is Python's repr of a float.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	neg := strings.HasPrefix(e, "-")
	e = strings.TrimPrefix(e, "-")
	mant, exps, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(exps)
	digits := strings.Replace(mant, ".", "", 1)
	var out string
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		out = fmt.Sprintf("%se%s%02d", m, sign, exp)
	} else if exp < 0 {
		out = "0." + strings.Repeat("0", -exp-1) + digits
	} else {
		if len(digits) <= exp+1 {
			digits += strings.Repeat("0", exp+1-len(digits))
			out = digits + ".0"
		} else {
			out = digits[:exp+1] + "." + digits[exp+1:]
		}
	}
	if neg {
		out = "-" + out
	}
	return out
}

// kv is one member of an ordered JSON object.
type kv struct {
	k string
	v any
}

// obj is a JSON object whose members keep their order.
type obj []kv

// writePyJSON writes v as Python's json.dump(v, indent=2) would; indent < 0
// writes it on one line with Python's default separators.
func writePyJSON(w io.StringWriter, v any, indent, depth int) {
	nl := func(d int) {
		if indent >= 0 {
			w.WriteString("\n" + strings.Repeat(" ", indent*d))
		}
	}
	sep := ", "
	if indent >= 0 {
		sep = ","
	}
	switch x := v.(type) {
	case nil:
		w.WriteString("null")
	case bool:
		if x {
			w.WriteString("true")
		} else {
			w.WriteString("false")
		}
	case string:
		w.WriteString(pyJSONString(x))
	case json.Number:
		s := pyNumberString(x)
		w.WriteString(pyJSONFloatWords(s))
	case float64:
		w.WriteString(pyJSONFloatWords(pyFloat(x)))
	case int:
		w.WriteString(strconv.Itoa(x))
	case obj:
		if len(x) == 0 {
			w.WriteString("{}")
			return
		}
		w.WriteString("{")
		for i, m := range x {
			if i > 0 {
				w.WriteString(sep)
			}
			nl(depth + 1)
			w.WriteString(pyJSONString(m.k) + ": ")
			writePyJSON(w, m.v, indent, depth+1)
		}
		nl(depth)
		w.WriteString("}")
	case []any:
		if len(x) == 0 {
			w.WriteString("[]")
			return
		}
		w.WriteString("[")
		for i, e := range x {
			if i > 0 {
				w.WriteString(sep)
			}
			nl(depth + 1)
			writePyJSON(w, e, indent, depth+1)
		}
		nl(depth)
		w.WriteString("]")
	case map[string]any:
		// Decoded JSON objects keep no order; Python would keep the
		// input's, which only matters for odd property values.
		o := make(obj, 0, len(x))
		for k, e := range x {
			o = append(o, kv{k, e})
		}
		writePyJSON(w, o, indent, depth)
	default:
		w.WriteString(pyJSONString(fmt.Sprint(x)))
	}
}

// pyJSONFloatWords turns Python's float words into json.dump's.
func pyJSONFloatWords(s string) string {
	switch s {
	case "inf":
		return "Infinity"
	case "-inf":
		return "-Infinity"
	case "nan":
		return "NaN"
	}
	return s
}

// pyJSONString quotes s as json.dump does with ensure_ascii.
func pyJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || (r >= 0x7f && r < 0x10000):
				fmt.Fprintf(&b, `\u%04x`, r)
			case r >= 0x10000:
				r -= 0x10000
				fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
