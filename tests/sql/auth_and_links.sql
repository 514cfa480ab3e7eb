-- roomcode_token (Room Code Authentication) and roomcode_link (Room Links).
.mode list
CREATE VIRTUAL TABLE room_codes USING roomcode;
INSERT INTO room_codes(code, room_id, role) VALUES ('abc-defg-hij', 'room-1', 'host');
-- a token is three base64url parts; its payload carries the code's room and role
CREATE TEMP TABLE tok AS SELECT roomcode_token('abc-defg-hij', 'user-1', 'access-key-1', 'app-secret') AS t;
SELECT 'token shape', t GLOB '*.*.*', t NOT GLOB '*[^A-Za-z0-9_.-]*', length(t) - length(replace(t, '.', '')) FROM tok;
-- the code may be pasted as a link, in any case
SELECT 'pasted', length(roomcode_token('https://acme.app.100ms.live/meeting/ABC-DEFG-HIJ', 'user-1', 'ak', 's')) > 0;
-- refusals
SELECT roomcode_token('zzz-zzzz-zzz', 'user-1', 'ak', 's');
SELECT roomcode_token('abc-defg', 'user-1', 'ak', 's');
SELECT roomcode_token(NULL, 'user-1', 'ak', 's');
SELECT roomcode_token('abc-defg-hij', '', 'ak', 's');
SELECT 'no user_id', roomcode_token('abc-defg-hij', NULL, 'ak', 's') GLOB '*.*.*';
SELECT roomcode_token('abc-defg-hij', 'u' || char(0) || 'v', 'ak', 's');
SELECT roomcode_token('abc-defg-hij', 'user-1', '', 's');
SELECT roomcode_token('abc-defg-hij', 'user-1', 'ak', '');
SELECT roomcode_token('abc-defg-hij', 'user-1', 'ak', NULL);
SELECT roomcode_token('abc-defg-hij', 'user-1', 'ak', 's', 0);
SELECT roomcode_token('abc-defg-hij', 'user-1', 'ak', 's', -5);
SELECT roomcode_token('abc-defg-hij', 'user-1', 'ak', 's', 1.5);
SELECT roomcode_token('abc-defg-hij', 'user-1', 'ak', 's', '3600');
SELECT roomcode_token('abc-defg-hij', 'user-1', 'ak', 's', 100000000);
-- disabled codes do not authenticate; enabled again, they do
UPDATE room_codes SET enabled = 0 WHERE code = 'abc-defg-hij';
SELECT roomcode_token('abc-defg-hij', 'user-1', 'ak', 's');
UPDATE room_codes SET enabled = 1 WHERE code = 'abc-defg-hij';
SELECT 're-enabled', length(roomcode_token('abc-defg-hij', 'user-1', 'ak', 's')) > 0;
-- a code bound to a user authenticates that user only; unbound again, anyone
UPDATE room_codes SET user_id = 'alice' WHERE code = 'abc-defg-hij';
SELECT 'bound, alice', length(roomcode_token('abc-defg-hij', 'alice', 'ak', 's')) > 0;
SELECT roomcode_token('abc-defg-hij', 'bob', 'ak', 's');
UPDATE room_codes SET user_id = NULL WHERE code = 'abc-defg-hij';
SELECT 'unbound, bob', length(roomcode_token('abc-defg-hij', 'bob', 'ak', 's')) > 0;
SELECT 'bound at birth', roomcode_valid(roomcode_new('room-1', 'guest', 'carol'));
INSERT INTO room_codes(code, room_id, role, user_id) VALUES ('kkk-kkkk-kkk', 'room-1', 'guest', 'erin');
SELECT roomcode_token('kkk-kkkk-kkk', 'dave', 'ak', 's');
-- runs SQL, so no view may call it
CREATE VIEW v AS SELECT roomcode_token('abc-defg-hij', 'u', 'ak', 's');
SELECT * FROM v;
-- links
SELECT 'link', roomcode_link('abc-defg-hij', 'acme.app.100ms.live');
SELECT 'link', roomcode_link('abc-defg-hij', 'acme.app.100ms.live', 'preview');
SELECT 'link', roomcode_link('abc-defg-hij', 'https://meet.example.com', 'streaming/meeting');
SELECT 'link', roomcode_link('abc-defg-hij', 'https://meet.example.com/app/', 'streaming/preview');
SELECT 'link', roomcode_link('abc-defg-hij', 'http://localhost:3000');
SELECT 'link', roomcode_link('ABC DEFG HIJ', 'https://meet.example.com/join?code={code}');
SELECT 'link', roomcode_link('abc-defg-hij', 'https://{code}.example.com', 'meeting');
-- every link comes back to its code
SELECT 'round trip', roomcode_normalize(roomcode_link('abc-defg-hij', 'acme.app.100ms.live', 'streaming/preview')),
       roomcode_normalize(roomcode_link('abc-defg-hij', 'https://meet.example.com/join?code={code}'));
SELECT roomcode_link('abc-defg-hij', 'acme.app.100ms.live', 'lobby');
SELECT roomcode_link('abc-defg-hij', '');
SELECT roomcode_link('abc-defg-hij', 'acme app.live');
SELECT roomcode_link('abc-defg-hij', 'ftp://acme.live');
SELECT roomcode_link('abc-defg-hij', 'https://acme.live/?x=1');
SELECT roomcode_link('abc-defg-hij', 'https://acme.live/{room}');
SELECT roomcode_link('abc-defg', 'acme.live');
SELECT roomcode_link('abc-defg-hij', NULL);
SELECT roomcode_link('abc-defg-hij', 'acme.live', 7);
-- a base whose path or query holds a 10-letter word: its links come back to their code
SELECT 'word in base', roomcode_link('abc-defg-hij', 'https://example.com/conference/'),
       roomcode_normalize(roomcode_link('abc-defg-hij', 'https://example.com/conference/', 'preview')),
       roomcode_normalize(roomcode_link('abc-defg-hij', 'https://x.com/a?team=engineering&c={code}')),
       roomcode_normalize(roomcode_link('abc-defg-hij', 'https://x.com/a?team=conference&c={code}'));
-- and a token for such a link is for the linked code, not for the word
INSERT INTO room_codes(code, room_id, role) VALUES ('con-fere-nce', 'room-2', 'host');
UPDATE room_codes SET enabled = 0 WHERE code = 'con-fere-nce';
SELECT 'token via link', length(roomcode_token(roomcode_link('abc-defg-hij', 'https://example.com/conference/'), 'user-1', 'ak', 's')) > 0;
-- text around {code} in its part
SELECT 'around', roomcode_link('abc-defg-hij', 'https://x.com/r/{code}x'),
       roomcode_normalize(roomcode_link('abc-defg-hij', 'https://x.com/r/{code}x')),
       roomcode_normalize(roomcode_link('abc-defg-hij', 'https://x.com/{code}.html')),
       roomcode_normalize(roomcode_link('abc-defg-hij', 'https://x.com/r/{code}/go'));
-- bases whose links would read as another code are refused, whatever the code
SELECT roomcode_link('abc-defg-hij', 'https://x.com/meeting/conference');
SELECT roomcode_link('zzz-zzzz-zzz', 'https://x.com/meeting/conference');
SELECT roomcode_link('abc-defg-hij', 'https://x.com/zzz-zzzz-zzz/{code}');
SELECT roomcode_link('zzz-zzzz-zzz', 'https://x.com/zzz-zzzz-zzz/{code}');
SELECT roomcode_link('abc-defg-hij', 'https://x.com/r/{code}?code=conference');
-- ports from 1 to 65535, hosts without empty labels
SELECT 'port', roomcode_link('abc-defg-hij', 'x.com:65535'), roomcode_link('abc-defg-hij', 'http://10.0.0.1:1/');
SELECT roomcode_link('abc-defg-hij', 'x.com:99999');
SELECT roomcode_link('abc-defg-hij', 'x.com:0');
SELECT roomcode_link('abc-defg-hij', 'a..b');
SELECT roomcode_link('abc-defg-hij', '.a.com');
SELECT roomcode_link('abc-defg-hij', 'a.com.');
SELECT roomcode_link('abc-defg-hij', 'https://1.2.3.256/');
-- every refusal of an argument is an SQLITE_ERROR (the shell shows other codes in brackets)
SELECT roomcode_link('abc-defg', 'x.com');
SELECT roomcode_link('abc-defg-hij', 'x.com', 'lobby');
SELECT roomcode_link('abc-defg-hij', x'00');
SELECT roomcode_link('abc-defg-hij', 'x.com' || char(0));
-- without a user_id, a code bound to a user refuses; an unbound one gives a fresh UUID
SELECT roomcode_token('kkk-kkkk-kkk', NULL, 'ak', 's');
