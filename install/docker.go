package install

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// utf8BOM may start a daemon.json written by a Windows editor; dockerd
// accepts it.
const utf8BOM = "\xEF\xBB\xBF"

// dockerChange says what addDockerRuntime or removeDockerRuntime did.
type dockerChange int

const (
	dockerUnchanged dockerChange = iota
	dockerAdded
	dockerUpdated // the runtime existed with another path
	dockerRemoved
)

// parseDaemonJSON parses daemon.json content; an empty file is an empty
// object.
func parseDaemonJSON(data []byte) (*jsonObject, error) {
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	if len(bytes.TrimSpace(data)) == 0 {
		return &jsonObject{}, nil
	}
	return parseJSONObject(data)
}

// runtimesOf returns the "runtimes" object of doc (empty if absent or null).
func runtimesOf(doc *jsonObject) (*jsonObject, error) {
	raw, ok := doc.get("runtimes")
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return &jsonObject{}, nil
	}
	rt, err := parseJSONObject(raw)
	if err != nil {
		return nil, fmt.Errorf(`"runtimes" is not an object: %w`, err)
	}
	return rt, nil
}

// addDockerRuntime makes runtimes.<name>.path of the daemon.json content
// data equal path, keeping every other key (including other settings of
// that runtime, such as runtimeArgs). It returns the new content; data
// itself when nothing changes.
func addDockerRuntime(data []byte, name, path string) ([]byte, dockerChange, error) {
	doc, err := parseDaemonJSON(data)
	if err != nil {
		return nil, dockerUnchanged, err
	}
	runtimes, err := runtimesOf(doc)
	if err != nil {
		return nil, dockerUnchanged, err
	}
	entry := &jsonObject{}
	change := dockerAdded
	if raw, ok := runtimes.get(name); ok {
		if entry, err = parseJSONObject(raw); err != nil {
			return nil, dockerUnchanged, fmt.Errorf("runtime %q is not an object: %w", name, err)
		}
		change = dockerUpdated
		if raw, ok := entry.get("path"); ok {
			var old string
			if json.Unmarshal(raw, &old) == nil && old == path {
				return data, dockerUnchanged, nil
			}
		}
	}
	p, err := marshalNoEscape(path)
	if err != nil {
		return nil, dockerUnchanged, err
	}
	entry.set("path", p)
	if err := setObject(runtimes, name, entry); err != nil {
		return nil, dockerUnchanged, err
	}
	if err := setObject(doc, "runtimes", runtimes); err != nil {
		return nil, dockerUnchanged, err
	}
	out, err := doc.pretty()
	if err != nil {
		return nil, dockerUnchanged, err
	}
	return out, change, nil
}

// removeDockerRuntime deletes runtimes.<name> from the daemon.json content
// data, and "runtimes" itself if that leaves it empty. It returns data
// itself when there is no such runtime.
func removeDockerRuntime(data []byte, name string) ([]byte, dockerChange, error) {
	doc, err := parseDaemonJSON(data)
	if err != nil {
		return nil, dockerUnchanged, err
	}
	runtimes, err := runtimesOf(doc)
	if err != nil {
		return nil, dockerUnchanged, err
	}
	if !runtimes.remove(name) {
		return data, dockerUnchanged, nil
	}
	if runtimes.empty() {
		doc.remove("runtimes")
	} else if err := setObject(doc, "runtimes", runtimes); err != nil {
		return nil, dockerUnchanged, err
	}
	out, err := doc.pretty()
	if err != nil {
		return nil, dockerUnchanged, err
	}
	return out, dockerRemoved, nil
}

func setObject(o *jsonObject, key string, value *jsonObject) error {
	raw, err := value.compact()
	if err != nil {
		return err
	}
	o.set(key, raw)
	return nil
}
