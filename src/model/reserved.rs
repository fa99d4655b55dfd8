//! Names topoform itself uses on instances: tag keys it sets, and the shell
//! variables of the user-data scripts. A topology that reuses one would make
//! EC2 refuse a duplicate tag key, or break or steer the boot; validation
//! refuses it, and synthesis (`userdata`) is tested against these lists.

/// Whether topoform itself sets the tag `key` on instances, volumes or
/// addresses: `Name`, the Elastic IP's `allocation-id`, and every
/// `topoform:` key. A stack tag or a client tag of the same key would be a
/// duplicate key, which EC2 refuses, or would overwrite what the scripts read.
pub fn is_reserved_tag(key: &str) -> bool {
    key == "Name" || key == "allocation-id" || key.starts_with("topoform:")
}

/// The shell variables the fleet script sets or reads. A fleet parameter is
/// exported under its own name, so one of these would break the first boot
/// (`NAME` is read-only) or steer it (`CLIENT` picks whose parameters are
/// read next). `userdata`'s tests check the list against the rendered script, and
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
    const ENVIRONMENT: &[&str] = &[
        "CDPATH",
        "ENV",
        "EUID",
        "GLOBIGNORE",
        "HOME",
        "HOSTNAME",
        "IFS",
        "LANG",
        "OLDPWD",
        "OPTARG",
        "OPTIND",
        "PATH",
        "PPID",
        "PS4",
        "PWD",
        "SHELL",
        "SHELLOPTS",
        "SHLVL",
        "TMPDIR",
        "TZ",
        "UID",
        "USER",
    ];
    const PREFIXES: &[&str] = &["AWS_", "BASH", "LC_", "LD_", "PYTHON", "TOPOFORM_"];
    SCRIPT_VARIABLES.contains(&name)
        || ENVIRONMENT.contains(&name)
        || PREFIXES.iter().any(|p| name.starts_with(p))
}
