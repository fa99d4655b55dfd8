//! Names topoform itself uses on instances: tag keys it sets, and the shell
//! variables of the user-data scripts. A topology that reuses one would make
//! EC2 refuse a duplicate tag key, or break or steer the boot; validation
//! refuses it, and synthesis (`userdata`) is tested against these lists.

/// Whether topoform itself sets the tag `key` on instances, volumes or
/// addresses: `Name`, the Elastic IP's `allocation-id`, and every
/// `topoform:` key. A stack tag or a client tag of the same key would be a
/// duplicate key, which EC2 refuses, or would overwrite what the scripts read.
/// In any case: IAM, whose roles carry the stack tags beside `Name`, takes
/// tag keys without regard to case, and refuses `name` beside `Name`.
pub fn is_reserved_tag(key: &str) -> bool {
    key.eq_ignore_ascii_case("Name")
        || key.eq_ignore_ascii_case("allocation-id")
        || key
            .get(.."topoform:".len())
            .is_some_and(|p| p.eq_ignore_ascii_case("topoform:"))
}

/// The shell variables the fleet script sets or reads. Fleet parameters
/// reach only the bootstrap command's environment (through env(1)), but a
/// parameter named like one of these would still be confusing in the logs
/// and in the bootstrap, so they are refused. `userdata`'s tests check the list against the rendered script, and
/// every tag key the scripts read against [`is_reserved_tag`].
pub const SCRIPT_VARIABLES: &[&str] = &[
    "AWS_ENDPOINT",
    "BOOTSTRAP",
    "CLIENT",
    "IMDS",
    "INSTANCE_ID",
    "IPV4_RE",
    "LOG",
    "NAME",
    "PARAMETERS",
    "PARAMETER_ENV",
    "PER_BOOT_DIR",
    "RECORD_RE",
    "REGION",
    "RETRY_PAUSE",
    "STATE_DIR",
    "TOKEN",
    "TRIES",
    "ZONE_RE",
];

/// Whether a fleet parameter may be exported under `name`: not one of the
/// script's own variables, and not a variable that changes how the shell,
/// the dynamic linker, the AWS CLI or topoform's scripts behave.
pub fn is_reserved_variable(name: &str) -> bool {
    // What changes how the bootstrap command runs (PATH finds it, LD_*
    // loads into it, proxies and CA bundles redirect its TLS), and what
    // bash itself sets.
    const ENVIRONMENT: &[&str] = &[
        "_",
        "CDPATH",
        "CURL_CA_BUNDLE",
        "ENV",
        "EUID",
        "FUNCNAME",
        "GLOBIGNORE",
        "GROUPS",
        "HOME",
        "HOSTNAME",
        "IFS",
        "LANG",
        "LINENO",
        "NO_PROXY",
        "OLDPWD",
        "OPTARG",
        "OPTIND",
        "PATH",
        "PPID",
        "PS4",
        "PWD",
        "RANDOM",
        "REQUESTS_CA_BUNDLE",
        "SECONDS",
        "SHELL",
        "SHELLOPTS",
        "SHLVL",
        "SRANDOM",
        "SSL_CERT_DIR",
        "SSL_CERT_FILE",
        "TMPDIR",
        "TZ",
        "UID",
        "USER",
    ];
    const PREFIXES: &[&str] = &["AWS_", "BASH", "LC_", "LD_", "PYTHON", "TOPOFORM_"];
    let upper = name.to_ascii_uppercase();
    if upper.ends_with("_PROXY") || upper == "NO_PROXY" {
        return true;
    }
    SCRIPT_VARIABLES.contains(&name)
        || ENVIRONMENT.contains(&name)
        || PREFIXES.iter().any(|p| name.starts_with(p))
}
