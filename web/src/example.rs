//! The built-in example (see `examples/README.md`): web-b is running with a public IP, its security
//! group allows SSH, but its subnet's route table has no route to the internet gateway.

/// `(file name, contents)`, as `aws ec2 describe-* --output json` prints them.
pub const FILES: [(&str, &str); 11] = [
    (
        "describe-instances.json",
        include_str!("../examples/describe-instances.json"),
    ),
    (
        "describe-network-interfaces.json",
        include_str!("../examples/describe-network-interfaces.json"),
    ),
    (
        "describe-security-groups.json",
        include_str!("../examples/describe-security-groups.json"),
    ),
    (
        "describe-network-acls.json",
        include_str!("../examples/describe-network-acls.json"),
    ),
    (
        "describe-route-tables.json",
        include_str!("../examples/describe-route-tables.json"),
    ),
    (
        "describe-internet-gateways.json",
        include_str!("../examples/describe-internet-gateways.json"),
    ),
    (
        "describe-subnets.json",
        include_str!("../examples/describe-subnets.json"),
    ),
    (
        "describe-vpcs.json",
        include_str!("../examples/describe-vpcs.json"),
    ),
    (
        "describe-addresses.json",
        include_str!("../examples/describe-addresses.json"),
    ),
    (
        "describe-instance-status.json",
        include_str!("../examples/describe-instance-status.json"),
    ),
    (
        "describe-vpc-block-public-access-options.json",
        include_str!("../examples/describe-vpc-block-public-access-options.json"),
    ),
];

/// The instance the example is about (`web-b`).
pub const TARGET: &str = "i-0abc12de34f56a789";

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn example_files_are_json_and_name_the_target() {
        for (name, text) in super::FILES {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            assert!(v.is_object(), "{name}");
        }
        assert!(super::FILES[0].1.contains(super::TARGET));
    }
}
