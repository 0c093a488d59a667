//! kuzet: find calls to violence, violent threats and terrorist propaganda in web text.
pub mod normalize;
