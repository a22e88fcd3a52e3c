// Every label in English and Indonesian. Keys are used by data-i18n attributes and by app.js.
'use strict';
window.PD_I18N = {
  en: {
    title: 'Operator dashboard',
    offline: 'offline', live: 'live', reconnecting: 'reconnecting…',
    logout: 'Log out', loginTitle: 'Operator login', tokenLabel: 'Operator token',
    nameLabel: 'Your name (for the timeline)', login: 'Log in',
    tokenHint: "The token is in the receiver's data folder (file operator-token).",
    wrongToken: 'Wrong operator token.', unreachable: 'The receiver cannot be reached.',
    alerts: 'Alerts', noAlerts: 'No alerts yet.', map: 'Map', detail: 'Alert detail',
    selectAlert: 'Select an alert in the list.',
    duressWarning: 'DURESS: the user cancelled under coercion. Treat as a live emergency; do not call the device holder openly.',
    duress: 'DURESS', positionUnknown: 'position unknown',
    device: 'Device', kind: 'Kind', position: 'Position', responder: 'Responder', opened: 'Opened', updated: 'Updated',
    acknowledge: 'Acknowledge', assign: 'Assign responder', resolve: 'Resolve', falseAlarm: 'False alarm',
    responderPlaceholder: 'Responder name or unit', responderNeeded: 'Enter a responder first.',
    nearest: 'Nearest available units', nearestNone: 'No available unit with a fresh position.', nearestNoPosition: 'Position unknown: dispatch by address or phone.',
    actionFailed: 'The action failed: ', timeline: 'Timeline',
    webhooks: 'Webhooks', noWebhooks: 'No webhooks configured.', target: 'Target', pending: 'Pending', delivered: 'Delivered', lastError: 'Last error',
    failing: 'failing',
    alarmOne: 'NEW ALERT: {n} alert waiting for acknowledgement', alarmMany: 'NEW ALERTS: {n} alerts waiting for acknowledgement',
    accuracy: '±{m} m', via: 'via {s}',
    mapTiles: 'Map tiles: {a}', mapGrid: 'Plain grid (no map tiles configured).', mapOffline: 'Map tiles unavailable: plain grid shown.',
    mapNoPositions: '{n} alert(s) without a position are not on the map but are in the list.',
    kinds: { panic: 'panic', 'hold-up': 'hold-up', test: 'test', 'button-fault': 'button fault' },
    states: { new: 'new', acknowledged: 'acknowledged', assigned: 'assigned', resolved: 'resolved', 'false-alarm': 'false alarm', cancelled: 'cancelled by user' },
    events: {
      'received-mqtt': 'received via MQTT', 'received-sms': 'received via SMS',
      'follow-up-mqtt': 'follow-up via MQTT', 'follow-up-sms': 'follow-up via SMS',
      acknowledge: 'acknowledged', assign: 'responder assigned', resolve: 'resolved', 'false-alarm': 'marked false alarm',
      'cancelled-by-user': 'cancelled by user', duress: 'DURESS cancel (user under coercion)'
    }
  },
  id: {
    title: 'Dasbor operator',
    offline: 'luring', live: 'langsung', reconnecting: 'menyambung ulang…',
    logout: 'Keluar', loginTitle: 'Masuk operator', tokenLabel: 'Token operator',
    nameLabel: 'Nama Anda (untuk riwayat)', login: 'Masuk',
    tokenHint: 'Token ada di folder data penerima (berkas operator-token).',
    wrongToken: 'Token operator salah.', unreachable: 'Penerima tidak dapat dihubungi.',
    alerts: 'Peringatan', noAlerts: 'Belum ada peringatan.', map: 'Peta', detail: 'Rincian peringatan',
    selectAlert: 'Pilih peringatan di daftar.',
    duressWarning: 'DIPAKSA: pengguna membatalkan di bawah ancaman. Tangani sebagai keadaan darurat; jangan menelepon pemegang perangkat secara terbuka.',
    duress: 'DIPAKSA', positionUnknown: 'lokasi tidak diketahui',
    device: 'Perangkat', kind: 'Jenis', position: 'Lokasi', responder: 'Petugas', opened: 'Dibuka', updated: 'Diperbarui',
    acknowledge: 'Konfirmasi', assign: 'Tugaskan petugas', resolve: 'Selesaikan', falseAlarm: 'Alarm palsu',
    responderPlaceholder: 'Nama petugas atau unit', responderNeeded: 'Isi nama petugas dahulu.',
    nearest: 'Unit terdekat yang tersedia', nearestNone: 'Tidak ada unit tersedia dengan posisi terbaru.', nearestNoPosition: 'Lokasi tidak diketahui: kirim berdasarkan alamat atau telepon.',
    actionFailed: 'Tindakan gagal: ', timeline: 'Riwayat',
    webhooks: 'Webhook', noWebhooks: 'Tidak ada webhook.', target: 'Tujuan', pending: 'Tertunda', delivered: 'Terkirim', lastError: 'Galat terakhir',
    failing: 'gagal',
    alarmOne: 'PERINGATAN BARU: {n} peringatan menunggu konfirmasi', alarmMany: 'PERINGATAN BARU: {n} peringatan menunggu konfirmasi',
    accuracy: '±{m} m', via: 'lewat {s}',
    mapTiles: 'Ubin peta: {a}', mapGrid: 'Kisi polos (ubin peta tidak diatur).', mapOffline: 'Ubin peta tidak tersedia: kisi polos ditampilkan.',
    mapNoPositions: '{n} peringatan tanpa lokasi tidak ada di peta tetapi ada di daftar.',
    kinds: { panic: 'panik', 'hold-up': 'perampokan', test: 'uji', 'button-fault': 'tombol rusak' },
    states: { new: 'baru', acknowledged: 'dikonfirmasi', assigned: 'petugas ditugaskan', resolved: 'selesai', 'false-alarm': 'alarm palsu', cancelled: 'dibatalkan pengguna' },
    events: {
      'received-mqtt': 'diterima lewat MQTT', 'received-sms': 'diterima lewat SMS',
      'follow-up-mqtt': 'lanjutan lewat MQTT', 'follow-up-sms': 'lanjutan lewat SMS',
      acknowledge: 'dikonfirmasi', assign: 'petugas ditugaskan', resolve: 'selesai', 'false-alarm': 'ditandai alarm palsu',
      'cancelled-by-user': 'dibatalkan pengguna', duress: 'pembatalan DIPAKSA (pengguna di bawah ancaman)'
    }
  }
};
