// Test support: a throwaway self-signed certificate for localhost, 127.0.0.1 and ::1 (ECDSA P-256,
// valid until 2126), like the one the quickstart proxy makes for itself. The private key is public
// here on purpose: it protects nothing. Made with
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 \
//     -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
// (a file, not generated per run: @peculiar/x509 needs a reflect-metadata polyfill this repo lacks).

export const LOCALHOST_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBrjCCAVSgAwIBAgIUTqT9SqUKBunQgkbzz8GFo7ynEOQwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMzAyNTIxNloYDzIxMjYxMDMw
MDI1MjE2WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQZAYHpAtttKNbLoPAD8PfV/cjArY6iCCldrzTOJ0yjBfEXMgCGAPcx
c4sGahQABgC0BWWqOibaj3HeoPH9RsRUo4GBMH8wHQYDVR0OBBYEFOBkGvHpYoI7
+mQy0P1C2QFhfF/3MB8GA1UdIwQYMBaAFOBkGvHpYoI7+mQy0P1C2QFhfF/3MA8G
A1UdEwEB/wQFMAMBAf8wLAYDVR0RBCUwI4IJbG9jYWxob3N0hwR/AAABhxAAAAAA
AAAAAAAAAAAAAAABMAoGCCqGSM49BAMCA0gAMEUCIQDAT0e6LTlMziOnqruKmFEb
QNf/L5TvOcBuRHoA9/lVlwIgXbqIEEngGXDSTtbi22lmv2zmfN2sCNj5sHopIQ/Q
i3E=
-----END CERTIFICATE-----
`;

export const LOCALHOST_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgN0/f65vq+zG1DeDe
oahDcA+pHGKhClk7BSgrxAlj6yehRANCAAQZAYHpAtttKNbLoPAD8PfV/cjArY6i
CCldrzTOJ0yjBfEXMgCGAPcxc4sGahQABgC0BWWqOibaj3HeoPH9RsRU
-----END PRIVATE KEY-----
`;
