/**
 * Defaults of the settings that carry no security weight. Overriding them
 * prints no warning.
 */
export const DEFAULTS = {
  env_name: 'prod',
  key_share_cipher: 'aws-kms',
  kms_mode: 'direct',

  /** Time allowed for one JWKS fetch, in milliseconds. */
  jwks_timeout_ms: 3000,

  /** Time allowed for one KMS request attempt, in milliseconds. */
  kms_request_timeout_ms: 2000,

  /** KMS request attempts, the first one included. */
  kms_max_attempts: 3,

  /** Lambda allocates CPU in proportion to memory. 512 MB keeps TLS handshakes and cold starts short at low cost. */
  memory_mb: 512,

  /**
   * The source map is always in the bundle, for reading stack traces offline. Node applies it only with
   * `--enable-source-maps`, which costs each cold start some tens of milliseconds and each error's stack a lookup.
   */
  enable_source_maps: false,

  /**
   * The token label of the single slot that the AWS CloudHSM PKCS#11 library exposes.
   * NOTE: taken from a user report for Client SDK 5, not from AWS documentation. Check it with
   * `pkcs11-tool --module <library> --list-slots` on a client of the cluster.
   */
  hsm_token_label: 'hsm1',

  /** Path of the AWS CloudHSM Client SDK 5 PKCS#11 library inside a layer, which Lambda extracts to /opt. */
  hsm_library_path: '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so',

  /** AWS CloudHSM Client SDK 5 picks the IV for `CKM_AES_GCM` and returns it in the mechanism parameters. */
  hsm_iv_mode: 'hsm-generated',

  hsm_decrypt_with_kms: false,
} as const;
