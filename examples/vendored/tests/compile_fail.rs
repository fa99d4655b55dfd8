//! What the builder's types refuse: each case in `tests/ui` must fail to
//! compile, with the error in its `.stderr`; the `pass` cases must compile.

#[test]
fn the_types_refuse_what_the_language_refuses() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
