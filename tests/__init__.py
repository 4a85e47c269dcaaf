from tests.token_service import trust_test_ca

# Before anything imports aiohttp, which reads the CAs it trusts once: the stand-in for
# Microsoft's token service is served with a certificate from this test CA.
trust_test_ca()
