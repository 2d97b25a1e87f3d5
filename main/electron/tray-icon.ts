/**
 * The tray icon: a ring and a dot, black on transparent, 32×32 PNG. Black with alpha is what
 * macOS wants of a menu-bar "template" image (it recolours it for light and dark menu bars).
 * Inline, so the icon needs no file beside the compiled shell (nothing to unpack from the asar).
 */
export const trayIconDataUrl =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAAeUlEQVR42u2XXQ7AIAiDuf+l2REG24etRhLetNTIT4m41rMsuiwwTiQhx4OTd8pAyzDIv/yERSdSC2+qnMq4k7X8it19PX6eKLWkCMQAgSAI/O18l8D+BJYlobwMJY1I3oothpF8HFsIErkksxClFrLcYjGxWc3OtQdaa1a4HttRDwAAAABJRU5ErkJggg==';
