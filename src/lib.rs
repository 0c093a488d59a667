//! kuzet: find calls to violence, violent threats and terrorist propaganda in web text.
pub mod analyse;
pub mod decode;
pub mod extract;
pub mod lang;
pub mod lexicon;
pub mod matcher;
pub mod normalize;
pub mod score;
