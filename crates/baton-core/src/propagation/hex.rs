//! Table-driven hexadecimal decoding and encoding for trace and span ids.
//!
//! Formatting through `core::fmt` costs hundreds of instructions per id; these helpers cost
//! one table load per digit and never allocate.

/// Marks a byte that is not an accepted hex digit.
const BAD: u8 = 0xF0;

const fn table(allow_upper: bool) -> [u8; 256] {
    let mut t = [BAD; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        if allow_upper {
            t[b'A' as usize + i] = 10 + i as u8;
        }
        i += 1;
    }
    t
}

static LOWER: [u8; 256] = table(false);
static ANY_CASE: [u8; 256] = table(true);
const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Which letter cases a decoder accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Case {
    /// Lowercase only, as W3C Trace Context and B3 require.
    Lower,
    /// Either case, for formats whose producers were never strict (Jaeger, X-Ray).
    Any,
}

/// Decodes 1 to 32 hex digits into a `u128`; `None` for an empty, too long or non-hex input.
/// Works in two 64-bit halves: shifting a `u128` per digit costs twice as much.
#[inline]
pub(crate) fn decode_u128(s: &[u8], case: Case) -> Option<u128> {
    if s.len() <= 16 {
        return decode_u64(s, case).map(u128::from);
    }
    if s.len() > 32 {
        return None;
    }
    let (high, low) = s.split_at(s.len() - 16);
    Some((u128::from(decode_u64(high, case)?) << 64) | u128::from(decode_u64(low, case)?))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Decodes exactly 8 hex digits at once (SWAR: eight bytes in one `u64`, no table).
#[inline]
fn decode8(chunk: [u8; 8], case: Case) -> Option<u32> {
    let x = u64::from_le_bytes(chunk);
    if x & HIGH != 0 {
        return None;
    }
    // For bytes below 0x80, adding 0x80 - n sets a byte's top bit exactly when it is >= n,
    // and never carries into the next byte.
    let at_least = |n: u8| (x + u64::from(0x80 - n) * ONES) & HIGH;
    let digit = at_least(b'0') & !at_least(b'9' + 1);
    let lower = at_least(b'a') & !at_least(b'f' + 1);
    let upper = if case == Case::Any {
        at_least(b'A') & !at_least(b'F' + 1)
    } else {
        0
    };
    if digit | lower | upper != HIGH {
        return None;
    }
    // '0'..'9' and 'a'..'f' / 'A'..'F' keep their value in the low nibble, letters plus 9.
    let nibbles = (x & (0x0F * ONES)) + ((lower | upper) >> 7) * 9;
    // Pack the eight nibbles, first character most significant.
    let bytes = ((nibbles << 4) | (nibbles >> 8)) & 0x00FF_00FF_00FF_00FF;
    let words = ((bytes << 8) | (bytes >> 16)) & 0x0000_FFFF_0000_FFFF;
    Some((((words << 16) | (words >> 32)) & 0xFFFF_FFFF) as u32)
}

/// Decodes exactly 16 hex digits, eight at a time.
#[inline]
fn decode16(s: &[u8], case: Case) -> Option<u64> {
    let (high, low) = s.split_at(8);
    let high = decode8(high.try_into().ok()?, case)?;
    let low = decode8(low.try_into().ok()?, case)?;
    Some((u64::from(high) << 32) | u64::from(low))
}

/// Decodes 1 to 16 hex digits into a `u64`; `None` for an empty, too long or non-hex input.
#[inline]
pub(crate) fn decode_u64(s: &[u8], case: Case) -> Option<u64> {
    if s.len() == 16 {
        return decode16(s, case);
    }
    if s.is_empty() || s.len() > 16 {
        return None;
    }
    let t = if case == Case::Lower {
        &LOWER
    } else {
        &ANY_CASE
    };
    let mut acc: u64 = 0;
    let mut bad = 0u8;
    for &b in s {
        let d = t[b as usize];
        bad |= d;
        acc = (acc << 4) | u64::from(d & 0x0F);
    }
    (bad & BAD == 0).then_some(acc)
}

/// Decodes exactly two hex digits into a byte.
#[inline]
pub(crate) fn decode_u8(s: &[u8], case: Case) -> Option<u8> {
    if s.len() != 2 {
        return None;
    }
    let t = if case == Case::Lower {
        &LOWER
    } else {
        &ANY_CASE
    };
    let (hi, lo) = (t[s[0] as usize], t[s[1] as usize]);
    ((hi | lo) & BAD == 0).then_some((hi << 4) | lo)
}

/// Appends `value` as `width` lowercase hex digits (the low `width * 4` bits, zero padded;
/// `width` at most 32). Spelled from the low digit up with 64-bit shifts: a `u128` shift
/// per digit costs several times more.
#[inline]
pub(crate) fn push_hex(out: &mut String, value: u128, width: usize) {
    let width = width.min(32);
    let mut buf = [0u8; 32];
    let digits = &mut buf[32 - width..];
    let (mut low, high) = (value as u64, (value >> 64) as u64);
    for (i, slot) in digits.iter_mut().rev().enumerate() {
        if i == 16 {
            low = high;
        }
        *slot = DIGITS[(low & 0xF) as usize];
        low >>= 4;
    }
    // Every byte written above is an ASCII hex digit.
    out.push_str(std::str::from_utf8(&buf[32 - width..]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_lowercase_and_rejects_uppercase_when_strict() {
        assert_eq!(
            decode_u64(b"00f067aa0ba902b7", Case::Lower),
            Some(0x00f0_67aa_0ba9_02b7)
        );
        assert_eq!(decode_u64(b"00F067AA0BA902B7", Case::Lower), None);
        assert_eq!(
            decode_u64(b"00F067AA0BA902B7", Case::Any),
            Some(0x00f0_67aa_0ba9_02b7)
        );
        assert_eq!(
            decode_u128(b"4bf92f3577b34da6a3ce929d0e0e4736", Case::Lower),
            Some(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736)
        );
    }

    #[test]
    fn rejects_empty_long_and_non_hex() {
        assert_eq!(decode_u64(b"", Case::Any), None);
        assert_eq!(decode_u64(b"00000000000000001", Case::Any), None);
        assert_eq!(decode_u128(&[b'0'; 33], Case::Any), None);
        assert_eq!(decode_u64(b"0g", Case::Any), None);
        assert_eq!(decode_u64(b"-1", Case::Any), None);
        assert_eq!(decode_u8(b"0", Case::Any), None);
        assert_eq!(decode_u8(b"ff", Case::Lower), Some(0xff));
        assert_eq!(decode_u8(b"\xff\xff", Case::Any), None);
    }

    #[test]
    fn pushes_fixed_width() {
        let mut s = String::new();
        push_hex(&mut s, 0xab, 16);
        push_hex(&mut s, 1, 2);
        assert_eq!(s, "00000000000000ab01");
        s.clear();
        push_hex(&mut s, 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210, 32);
        assert_eq!(s, "0123456789abcdeffedcba9876543210");
        s.clear();
        push_hex(&mut s, u128::MAX, 17);
        assert_eq!(s, "fffffffffffffffff");
    }
}
