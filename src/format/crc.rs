//! CRC-32, the records' checksum.

/// CRC-32 (IEEE 802.3, reflected, as zlib's `crc32` and PNG's), a nibble at a time from a
/// 16-entry table: small enough for a microcontroller's flash. A `const fn`, so that
/// [`Rnn::from_bytes`](crate::Rnn::from_bytes) can check a record at compile time.
#[must_use]
pub const fn crc32(bytes: &[u8]) -> u32 {
    !crc32_feed(!0, bytes)
}

/// CRC-32's register after `bytes`, from `crc`, before the final inversion: `crc32` of `a`
/// then `b` is `!crc32_feed(crc32_feed(!0, a), b)`, so that a header and the numbers after it
/// are checked without a slice of both. Not inlined: its loop is in flash once, not once for
/// each of its three calls.
#[inline(never)]
pub(super) const fn crc32_feed(mut crc: u32, bytes: &[u8]) -> u32 {
    const TABLE: [u32; 16] = {
        let mut t = [0u32; 16];
        let mut i = 0;
        while i < 16 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 4 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    };
    let mut rest = bytes;
    // (A `while`, as a `for` loop cannot run in a `const fn`.)
    while let Some((&b, tail)) = rest.split_first() {
        let b = b as u32;
        crc = TABLE[((crc ^ b) & 0xf) as usize] ^ (crc >> 4);
        crc = TABLE[((crc ^ (b >> 4)) & 0xf) as usize] ^ (crc >> 4);
        rest = tail;
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        // The standard check value of CRC-32/ISO-HDLC (zlib.crc32(b"123456789")).
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
