// `security_groups` is required: an instance without them does not compile.
use topoform::builder::Instance;

fn main() {
    let _ = Instance::new("ami-0123456789abcdef0", "t3.small", ["subnet-0123456789abcdef0"]);
}
