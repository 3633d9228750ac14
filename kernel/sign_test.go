package kernel

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// signHex computes a Jupyter signature independently of package wire.
func signHex(key []byte, parts ...[]byte) []byte {
	mac := hmac.New(sha256.New, key)
	for _, p := range parts {
		mac.Write(p)
	}
	return []byte(hex.EncodeToString(mac.Sum(nil)))
}
