//! What the fuzz targets share: how an input becomes the bytes a reader is given.

use tinyrnn::format::crc32;

/// The input after its first byte, the mode: when the mode is odd and the rest holds a whole
/// record of `len` bytes, its CRC-32 is recomputed first, so that the fuzzer also reaches the
/// checks behind the checksum (fields, finiteness). `None` for an empty input.
pub fn record_bytes(input: &[u8], len: usize) -> Option<Vec<u8>> {
    let (&mode, rest) = input.split_first()?;
    let mut data = rest.to_vec();
    if mode & 1 == 1 && data.len() >= len {
        let n = len - 4;
        let crc = crc32(&data[..n]);
        data[n..n + 4].copy_from_slice(&crc.to_le_bytes());
    }
    Some(data)
}
