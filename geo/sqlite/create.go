package sqlite

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"conflictmap/geo"
)

// Create makes a new store that is filled before anyone reads it, such
// as by an import into a file that does not exist yet. It is built in a
// temporary file beside path (named after it, starting with a dot)
// without the write-ahead log and without waiting for the disk: with the
// log every page is written twice, to the log and then to the file, and
// a million events' import wrote 1.5 GB more. Publish makes the file the
// store at path; Close without Publish removes it, and a crash leaves it
// under its temporary name, never at path, so that no half-filled store
// looks like one.
func Create(ctx context.Context, path string) (*Store, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		if err == nil {
			return nil, geo.Errorf(geo.EINVALID, "sqlite store: create %s: the file exists", path)
		}
		return nil, fmt.Errorf("sqlite store: create: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+base+".new-*")
	if err != nil {
		return nil, fmt.Errorf("sqlite store: create: %w", err)
	}
	temp := f.Name()
	// As SQLite makes a file (CreateTemp's are private to their owner).
	if err := cmp.Or(f.Chmod(0o644), f.Close()); err != nil {
		os.Remove(temp)
		return nil, fmt.Errorf("sqlite store: create: %w", err)
	}
	// The rollback journal is kept in memory: the pages it saves are only
	// those that existed before a transaction, a few for a new file, and
	// a crash loses the temporary file anyway.
	s, err := open(ctx, temp, "&_journal_mode=MEMORY&_synchronous=OFF")
	if err != nil {
		removeFiles(temp)
		return nil, err
	}
	s.temp, s.path = temp, path
	return s, nil
}

// Publish makes a store from Create the store at the path given to
// Create, in WAL mode like any other, once it is on disk. It closes the
// store. It fails, removing the new file, if a file appeared at the path
// meanwhile.
func (s *Store) Publish(ctx context.Context) error {
	if s.temp == "" {
		return errors.New("sqlite store: publish: not a new store")
	}
	if s.unpublishable != nil {
		s.Close()
		return fmt.Errorf("sqlite store: publish %s: %w", s.path, s.unpublishable)
	}
	if err := s.publish(ctx); err != nil {
		s.Close()
		return fmt.Errorf("sqlite store: publish %s: %w", s.path, err)
	}
	return nil
}

func (s *Store) publish(ctx context.Context) error {
	// The journal mode becomes WAL only with no other connection open.
	if err := s.version.Close(); err != nil {
		return err
	}
	s.version = nil
	if err := s.reader.Close(); err != nil {
		return err
	}
	s.reader = nil
	var mode string
	if err := s.writer.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return err
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode %s, not wal", mode)
	}
	if err := s.writer.Close(); err != nil {
		return err
	}
	f, err := os.Open(s.temp)
	if err != nil {
		return err
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return err
	}
	// A link, unlike a rename, does not replace a file that appeared at
	// the path since Create; a file system without links gets a rename
	// after a look.
	if err := os.Link(s.temp, s.path); err == nil {
		os.Remove(s.temp)
	} else if _, serr := os.Lstat(s.path); !errors.Is(serr, fs.ErrNotExist) {
		return err
	} else if err := os.Rename(s.temp, s.path); err != nil {
		return err
	}
	s.temp = ""
	if d, err := os.Open(filepath.Dir(s.path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// removeFiles removes a database file and those SQLite keeps beside it.
func removeFiles(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}
