package cluster

// NumSlots is the number of hash slots of a Redis Cluster.
const NumSlots = 16384

// crcTable is the CRC16-CCITT (XMODEM) table Redis Cluster hashes keys
// with: polynomial 0x1021, initial value 0.
var crcTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for j := 0; j < 8; j++ {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

func crc16(b string) uint16 {
	var c uint16
	for i := 0; i < len(b); i++ {
		c = c<<8 ^ crcTable[byte(c>>8)^b[i]]
	}
	return c
}

func crc16Bytes(b []byte) uint16 {
	var c uint16
	for i := 0; i < len(b); i++ {
		c = c<<8 ^ crcTable[byte(c>>8)^b[i]]
	}
	return c
}

// hashTag returns the part of key that is hashed: the text between the
// first '{' and the first '}' after it when that text is not empty, else
// the whole key.
func hashTag[T string | []byte](key T) T {
	for i := 0; i < len(key); i++ {
		if key[i] != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j == i+1 {
					return key // "{}" hashes the whole key
				}
				return key[i+1 : j]
			}
		}
		return key
	}
	return key
}

// Slot returns the hash slot of key, honouring hash tags: "{user1}.name"
// and "{user1}.email" share the slot of "user1".
func Slot(key string) int { return int(crc16(hashTag(key)) & (NumSlots - 1)) }

// slotBytes is Slot for a key given as bytes.
func slotBytes(key []byte) int { return int(crc16Bytes(hashTag(key)) & (NumSlots - 1)) }
