import { PROVINCE } from './catalogue';
import type { Random } from './random';

/** Family names by their share of the population; most Vietnamese are Nguyễn. */
const FAMILY: [string, number][] = [
  ['Nguyễn', 38], ['Trần', 11], ['Lê', 9.5], ['Phạm', 7], ['Hoàng', 3], ['Huỳnh', 2.5], ['Phan', 4.5], ['Võ', 2.5],
  ['Vũ', 1.5], ['Đặng', 2.1], ['Bùi', 2], ['Đỗ', 1.4], ['Hồ', 1.3], ['Ngô', 1.3], ['Dương', 1], ['Lý', 0.5],
  ['Đoàn', 0.6], ['Trương', 0.6], ['Đinh', 0.5], ['Lâm', 0.4],
];
const MIDDLE_MALE = ['Văn', 'Đức', 'Minh', 'Hữu', 'Quang', 'Thanh', 'Công', 'Xuân', 'Quốc', 'Anh', 'Ngọc', 'Trọng'];
const MIDDLE_FEMALE = ['Thị', 'Thị', 'Thị', 'Ngọc', 'Thanh', 'Thu', 'Kim', 'Mỹ', 'Hồng', 'Phương', 'Bảo', 'Thùy'];
const GIVEN_MALE = ['Hùng', 'Dũng', 'Nam', 'Tuấn', 'Trung', 'Hải', 'Long', 'Phong', 'Sơn', 'Thắng', 'Khánh', 'Bình', 'Cường', 'Đạt', 'Hiếu', 'Huy', 'Lộc', 'Phúc', 'Tài', 'Tâm', 'Vinh', 'Quân', 'Toàn', 'Thành'];
const GIVEN_FEMALE = ['Lan', 'Hương', 'Mai', 'Hoa', 'Linh', 'Trang', 'Hà', 'Ngân', 'Thảo', 'Vy', 'Yến', 'Nhung', 'Hạnh', 'Loan', 'Thủy', 'Dung', 'Phượng', 'Quyên', 'Tuyết', 'Diệu', 'Oanh', 'Nga'];

const STREETS = ['Trần Phú', 'Lê Thánh Tôn', 'Nguyễn Thị Minh Khai', 'Yersin', 'Thống Nhất', '2 Tháng 4', 'Lê Hồng Phong', 'Hùng Vương', 'Pasteur', 'Nguyễn Trãi', 'Quang Trung', 'Phạm Văn Đồng', 'Võ Thị Sáu', 'Lý Tự Trọng', 'Hoàng Văn Thụ'];
const WARDS: [string, string][] = [
  ['phường Lộc Thọ', 'thành phố Nha Trang'], ['phường Vĩnh Hải', 'thành phố Nha Trang'], ['phường Phước Long', 'thành phố Nha Trang'],
  ['phường Tân Lập', 'thành phố Nha Trang'], ['phường Vĩnh Phước', 'thành phố Nha Trang'], ['phường Cam Lộc', 'thành phố Cam Ranh'],
  ['phường Ba Ngòi', 'thành phố Cam Ranh'], ['phường Ninh Hiệp', 'thị xã Ninh Hòa'], ['thị trấn Vạn Giã', 'huyện Vạn Ninh'],
  ['thị trấn Diên Khánh', 'huyện Diên Khánh'], ['xã Suối Tân', 'huyện Cam Lâm'], ['thị trấn Tô Hạp', 'huyện Khánh Sơn'],
];
const MOBILE_PREFIXES = ['032', '033', '034', '035', '036', '037', '038', '039', '070', '076', '077', '078', '079', '081', '082', '083', '084', '085', '086', '088', '089', '090', '091', '093', '094', '096', '097', '098'];

export interface Person {
  fullName: string;
  idNumber: string;
  phone: string;
  address: string;
}

export function personName(r: Random, female = r.chance(0.48)): string {
  const family = r.weighted(FAMILY);
  const middle = r.pick(female ? MIDDLE_FEMALE : MIDDLE_MALE);
  const given = r.pick(female ? GIVEN_FEMALE : GIVEN_MALE);
  return `${family} ${middle} ${given}`;
}

/**
 * A citizen identity number as issued: province of birth (3 digits), gender and century (0/1 for men/women
 * born in the 1900s, 2/3 in the 2000s), the last two digits of the birth year, then six random digits.
 */
export function citizenId(r: Random, female: boolean, birthYear: number): string {
  const century = birthYear >= 2000 ? 2 : 0;
  return `${PROVINCE.idPrefix}${century + (female ? 1 : 0)}${String(birthYear % 100).padStart(2, '0')}${r.digits(6)}`;
}

export function person(r: Random): Person {
  const female = r.chance(0.48);
  const birthYear = r.int(1950, 2001);
  const [ward, district] = r.pick(WARDS);
  return {
    fullName: personName(r, female),
    idNumber: citizenId(r, female, birthYear),
    phone: `${r.pick(MOBILE_PREFIXES)}${r.digits(7)}`,
    address: `Số ${r.int(1, 250)} đường ${r.pick(STREETS)}, ${ward}, ${district}, tỉnh ${PROVINCE.name}`,
  };
}
