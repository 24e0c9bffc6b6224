import { describeHsmFaults } from './support/hsm-fault-suite';

// PKCS11_CALL_MODE=sync and PKCS11_SESSION_KEY_COPIES=true: data calls on the event loop, keys copied into session objects.
describeHsmFaults('pkcs11-in-process');
