//! From bytes to words: decoding, visible text, input files, language labels and the normalized views.

pub(crate) mod clitics;
pub mod decode;
pub mod extract;
pub mod filekind;
pub mod input;
pub mod lang;
pub mod normalize;
pub(crate) mod simd;
