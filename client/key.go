package client

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// MaxKeyFile is the size of the largest key file ReadKey reads.
const MaxKeyFile = 4096

// ReadKey reads an API key from r, the content of a key file or standard
// input: one token, with surrounding white space (a final newline) left
// out. Its errors never quote what it read, which may be a key.
func ReadKey(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxKeyFile+1))
	if err != nil {
		return "", fmt.Errorf("read the key: %w", withoutPath(err))
	}
	if len(b) > MaxKeyFile {
		return "", fmt.Errorf("the key file is larger than %d bytes: it holds no API key", MaxKeyFile)
	}
	key := strings.TrimSpace(string(b))
	if key == "" {
		return "", errors.New("the key file is empty")
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c <= ' ' || c >= 0x7f {
			return "", fmt.Errorf("the key file holds more than one token, or a character an API key does not have (byte %d)", i+1)
		}
	}
	return key, nil
}

// ReadKeyFile reads an API key from the file at path, or from stdin when
// path is "-". Its errors quote neither the content nor the path: a key
// given as the path by mistake must not be printed.
func ReadKeyFile(path string, stdin io.Reader) (string, error) {
	if path == "-" {
		if stdin == nil {
			return "", errors.New("key file -: no standard input")
		}
		key, err := ReadKey(stdin)
		if err != nil {
			return "", fmt.Errorf("key from standard input: %w", err)
		}
		return key, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("key file: %w", withoutPath(err))
	}
	defer f.Close()
	key, err := ReadKey(f)
	if err != nil {
		return "", fmt.Errorf("key file: %w", err)
	}
	return key, nil
}

// withoutPath returns the cause of a file error without the path it names.
func withoutPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
