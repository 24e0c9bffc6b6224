import { describeHsmFaults } from './support/hsm-fault-suite';

describeHsmFaults('pkcs11');
