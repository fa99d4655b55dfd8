//! The builder's types refuse references of the wrong kind at compile time,
//! with the error the docs promise (E0277: the handle does not convert into
//! the slot's type). trybuild compares each sample's compiler output with
//! its `.stderr` file, so a sample that fails for another reason (a typo, a
//! missing import) fails this test, as a `compile_fail` doctest would not.

#[test]
fn wrong_reference_kinds_do_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
