<?php
// Test vectors for the newer platforms' hashes, computed with PHP's own functions the way each
// platform documents its formula. Reads [{"scheme", "password", "salt", "count"}] as JSON on
// standard input and prints [{"stored", "salt"}] as JSON: the values as the platform would keep them.

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// phpass / Drupal base64: each 3-byte group read little-endian, written 6 bits at a time, low bits first.
function itoa64_encode($input)
{
    $count = strlen($input);
    $output = '';
    $i = 0;
    do {
        $value = ord($input[$i++]);
        $output .= ITOA64[$value & 0x3f];
        if ($i < $count) {
            $value |= ord($input[$i]) << 8;
        }
        $output .= ITOA64[($value >> 6) & 0x3f];
        if ($i++ >= $count) {
            break;
        }
        if ($i < $count) {
            $value |= ord($input[$i]) << 16;
        }
        $output .= ITOA64[($value >> 12) & 0x3f];
        if ($i++ >= $count) {
            break;
        }
        $output .= ITOA64[($value >> 18) & 0x3f];
    } while ($i < $count);
    return $output;
}

// includes/password.inc: _password_crypt('sha512', ...), cut to DRUPAL_HASH_LENGTH (55).
function drupal7($password, $setting)
{
    $count = 1 << strpos(ITOA64, $setting[3]);
    $salt = substr($setting, 4, 8);
    $hash = hash('sha512', $salt . $password, true);
    do {
        $hash = hash('sha512', $hash . $password, true);
    } while (--$count);
    return substr($setting . itoa64_encode($hash), 0, 55);
}

// Shopware\Components\Password\Encoder\Sha256::generateInternal()
function shopware5_sha256($password, $salt, $iterations)
{
    $hash = '';
    for ($i = 0; $i <= $iterations; $i++) {
        $hash = hash('sha256', $hash . $password . $salt);
    }
    return $iterations . ':' . $salt . ':' . $hash;
}

function compute($case)
{
    $password = $case['password'];
    $salt = $case['salt'];
    switch ($case['scheme']) {
        case 'drupal7':
            return ['stored' => drupal7($password, '$S$' . $case['count'] . $salt), 'salt' => ''];
        case 'drupal7_upgraded':  // user_update_7000(): 'U' . the $S$ hash of md5($password)
            return ['stored' => 'U' . drupal7(md5($password), '$S$' . $case['count'] . $salt), 'salt' => ''];
        case 'shopware5_sha256':
            return ['stored' => shopware5_sha256($password, $salt, (int) $case['count']), 'salt' => ''];
        case 'shopware5_md5':  // LegacyBackendMd5::encodePassword()
            return ['stored' => md5('A9ASD:_AD!_=%a8nx0asssblPlasS$' . md5($password)), 'salt' => ''];
        case 'zencart_sha256':  // zen_encrypt_password_new(): sha256(salt . plain) . ':' . salt
            return ['stored' => hash('sha256', $salt . $password) . ':' . $salt, 'salt' => ''];
        case 'argon2id':  // password_hash(), as Shopware's Argon2id encoder calls it (costs from "count")
        case 'argon2i':
            [$time, $memory] = explode('.', $case['count']);
            $algorithm = $case['scheme'] === 'argon2id' ? PASSWORD_ARGON2ID : PASSWORD_ARGON2I;
            $options = ['time_cost' => (int) $time, 'memory_cost' => (int) $memory, 'threads' => 1];
            return ['stored' => password_hash($password, $algorithm, $options), 'salt' => ''];
        case 'cscart':  // fn_generate_salted_password()
            $stored = empty($salt) ? md5($password) : md5(md5($password) . md5($salt));
            return ['stored' => $stored, 'salt' => $salt];
    }
    throw new Exception('unknown scheme ' . $case['scheme']);
}

echo json_encode(array_map('compute', json_decode(stream_get_contents(STDIN), true)));
