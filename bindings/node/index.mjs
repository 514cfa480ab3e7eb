// The ES module entry: the same two functions as index.cjs.
import roomcode from './index.cjs';

export const { getLoadablePath, load } = roomcode;
export default roomcode;
