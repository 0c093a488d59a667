//! Sixteen bytes at a time: which bytes of a chunk fall in classes of byte values, as bit
//! masks. Extraction and screening use it to skip the bytes that need no closer look. SSE2 (part
//! of every x86_64 target) on x86_64, a plain loop elsewhere.

/// A class of bytes: inclusive ranges of values.
pub(crate) type Class = &'static [(u8, u8)];

/// For each class, bit `k` set when `chunk[k]` is in it.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn classes<const N: usize>(chunk: &[u8; 16], classes: &[Class; N]) -> [u16; N] {
    // SAFETY: SSE2 is part of every x86_64 target.
    unsafe { classes_sse2(chunk, classes) }
}

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "sse2")]
fn classes_sse2<const N: usize>(chunk: &[u8; 16], classes: &[Class; N]) -> [u16; N] {
    use std::arch::x86_64::*;
    let half = |k: usize| i64::from_le_bytes(chunk[k..k + 8].try_into().unwrap_or([0; 8]));
    let x = _mm_set_epi64x(half(8), half(0));
    let mut out = [0u16; N];
    for (bits, ranges) in out.iter_mut().zip(classes) {
        let mut m = _mm_setzero_si128();
        for &(lo, hi) in ranges.iter() {
            // `x - lo <= hi - lo`, unsigned.
            let d = _mm_sub_epi8(x, _mm_set1_epi8(lo as i8));
            m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(hi.wrapping_sub(lo) as i8)), d));
        }
        *bits = _mm_movemask_epi8(m) as u16;
    }
    out
}

/// For each class, bit `k` set when `chunk[k]` is in it.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub(crate) fn classes<const N: usize>(chunk: &[u8; 16], classes: &[Class; N]) -> [u16; N] {
    let mut out = [0u16; N];
    for (bits, ranges) in out.iter_mut().zip(classes) {
        for (k, &c) in chunk.iter().enumerate() {
            *bits |= u16::from(ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))) << k;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_is_classed_as_its_ranges_say() {
        const CLASSES: [Class; 3] = [&[(0x00, 0x20), (0x7B, 0x7B)], &[(0xC2, 0xC2)], &[(0x80, 0xFF), (0x09, 0x0D)]];
        for c in 0..=255u8 {
            let mut chunk = [b'x'; 16];
            let k = usize::from(c) % 16;
            chunk[k] = c;
            let got = classes(&chunk, &CLASSES);
            for (class, bits) in CLASSES.iter().zip(got) {
                let inside = class.iter().any(|&(lo, hi)| (lo..=hi).contains(&c));
                assert_eq!(bits, u16::from(inside) << k, "{c:#x} in {class:?}");
            }
        }
    }
}
