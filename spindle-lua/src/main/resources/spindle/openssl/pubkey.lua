-- openssl.pubkey: luaossl's old name for openssl.pkey.
return require "openssl.pkey"
