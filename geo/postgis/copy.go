package postgis

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// copyBinary copies rows into table's columns by COPY in PostgreSQL's
// binary format, each value encoded by its column's type, which it reads
// from the catalog first; next fills dst with the next row's values and
// returns false after the last. pgx's CopyFrom looks up how to encode
// each value anew through its type map: for the million rows of a bulk
// import, and the 4.4 million of its kept counts, that lookup cost more
// CPU than the encoding itself. With freeze, the rows are written frozen
// and their pages marked visible to all (COPY's FREEZE: table must have
// been created in tx), so that reads answer from the indexes alone
// without a vacuum first.
func copyBinary(ctx context.Context, tx pgx.Tx, table string, columns []string, freeze bool, next func(dst []any) (bool, error)) (int64, error) {
	encoders, err := columnEncoders(ctx, tx, table, columns)
	if err != nil {
		return 0, err
	}
	r := &copyReader{columns: columns, encoders: encoders, next: next, row: make([]any, len(columns))}
	r.buf = append(r.buf, "PGCOPY\n\xff\r\n\x00"...)
	r.buf = binary.BigEndian.AppendUint32(r.buf, 0) // flags
	r.buf = binary.BigEndian.AppendUint32(r.buf, 0) // header extension
	options := "FORMAT binary"
	if freeze {
		options += ", FREEZE"
	}
	q := "COPY " + pgx.Identifier{table}.Sanitize() + " (" + strings.Join(columns, ", ") + ") FROM STDIN (" + options + ")"
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, r, q)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// encoder appends a value's binary form (without its length) to buf.
type encoder func(buf []byte, v any) ([]byte, error)

// columnEncoders returns the encoders of table's columns by their types.
func columnEncoders(ctx context.Context, tx pgx.Tx, table string, columns []string) ([]encoder, error) {
	rows, err := tx.Query(ctx, `SELECT attname, atttypid::regtype::text FROM pg_attribute
		WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`, pgx.Identifier{table}.Sanitize())
	if err != nil {
		return nil, err
	}
	types := map[string]string{}
	var name, typ string
	if _, err := pgx.ForEachRow(rows, []any{&name, &typ}, func() error { types[name] = typ; return nil }); err != nil {
		return nil, err
	}
	byType := map[string]encoder{"text": encodeText, "integer": encodeInt4, "bigint": encodeInt8, "double precision": encodeFloat8,
		"date": encodeDate, "tsvector": encodeTSVector, "geometry": encodeBytes, "bit varying": encodeBits}
	encoders := make([]encoder, len(columns))
	for i, c := range columns {
		typ, ok := types[c]
		if !ok {
			return nil, fmt.Errorf("copy into %s: no column %s", table, c)
		}
		if encoders[i] = byType[typ]; encoders[i] == nil {
			return nil, fmt.Errorf("copy into %s: column %s of type %s has no binary encoding here", table, c, typ)
		}
	}
	return encoders, nil
}

// copyReader is the binary COPY stream of the rows next makes, encoded a
// chunk at a time as the connection reads it.
type copyReader struct {
	columns  []string
	encoders []encoder
	next     func(dst []any) (bool, error)
	row      []any
	buf      []byte
	off      int
	done     bool
}

// copyChunk is how many bytes of rows copyReader encodes at a time.
const copyChunk = 1 << 16

func (r *copyReader) Read(p []byte) (int, error) {
	for r.off == len(r.buf) {
		if r.done {
			return 0, io.EOF
		}
		r.buf, r.off = r.buf[:0], 0
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

// fill encodes rows until the buffer holds copyChunk bytes or the rows
// end, after which it writes the trailer.
func (r *copyReader) fill() error {
	for len(r.buf) < copyChunk {
		clear(r.row)
		more, err := r.next(r.row)
		if err != nil {
			return err
		}
		if !more {
			r.buf = binary.BigEndian.AppendUint16(r.buf, 0xffff)
			r.done = true
			return nil
		}
		r.buf = binary.BigEndian.AppendUint16(r.buf, uint16(len(r.row)))
		for i, v := range r.row {
			if v == nil {
				r.buf = binary.BigEndian.AppendUint32(r.buf, math.MaxUint32) // -1: NULL
				continue
			}
			at := len(r.buf)
			r.buf = append(r.buf, 0, 0, 0, 0)
			if r.buf, err = r.encoders[i](r.buf, v); err != nil {
				return fmt.Errorf("column %s: %w", r.columns[i], err)
			}
			binary.BigEndian.PutUint32(r.buf[at:], uint32(len(r.buf)-at-4))
		}
	}
	return nil
}

func encodeText(buf []byte, v any) ([]byte, error) {
	if s, ok := v.(string); ok {
		return append(buf, s...), nil
	}
	return buf, fmt.Errorf("%T is not text", v)
}

func encodeInt4(buf []byte, v any) ([]byte, error) {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	default:
		return buf, fmt.Errorf("%T is not an integer", v)
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return buf, fmt.Errorf("%d does not fit an integer column", n)
	}
	return binary.BigEndian.AppendUint32(buf, uint32(int32(n))), nil
}

func encodeInt8(buf []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case int:
		return binary.BigEndian.AppendUint64(buf, uint64(x)), nil
	case int32:
		return binary.BigEndian.AppendUint64(buf, uint64(int64(x))), nil
	case int64:
		return binary.BigEndian.AppendUint64(buf, uint64(x)), nil
	}
	return buf, fmt.Errorf("%T is not a bigint", v)
}

func encodeFloat8(buf []byte, v any) ([]byte, error) {
	if f, ok := v.(float64); ok {
		return binary.BigEndian.AppendUint64(buf, math.Float64bits(f)), nil
	}
	return buf, fmt.Errorf("%T is not a double", v)
}

// pgEpochDay is the day binary dates count from (2000-01-01), in days
// since 1970-01-01.
const pgEpochDay = 10957

func encodeDate(buf []byte, v any) ([]byte, error) {
	d, ok := v.(pgtype.Date)
	if !ok || !d.Valid || d.InfinityModifier != pgtype.Finite {
		return buf, fmt.Errorf("%v is not a finite date", v)
	}
	day := time.Date(d.Time.Year(), d.Time.Month(), d.Time.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
	return binary.BigEndian.AppendUint32(buf, uint32(int32(day-pgEpochDay))), nil
}

// encodeTSVector encodes a tsvector of lexemes without positions, which
// must be distinct and in byte order (lexemes makes them so).
func encodeTSVector(buf []byte, v any) ([]byte, error) {
	t, ok := v.(pgtype.TSVector)
	if !ok || !t.Valid {
		return buf, fmt.Errorf("%T is not a tsvector", v)
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(t.Lexemes)))
	for _, l := range t.Lexemes {
		if len(l.Positions) > 0 || strings.IndexByte(l.Word, 0) >= 0 {
			return buf, fmt.Errorf("lexeme %q: positions or a NUL byte", l.Word)
		}
		buf = append(buf, l.Word...)
		buf = append(buf, 0, 0, 0) // its end, and no positions
	}
	return buf, nil
}

func encodeBytes(buf []byte, v any) ([]byte, error) {
	if b, ok := v.([]byte); ok {
		return append(buf, b...), nil
	}
	return buf, fmt.Errorf("%T is not bytes", v)
}
