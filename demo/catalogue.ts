import type { CatalogueFile } from '../subgraphs/intake/catalogue/catalogue.file';
/**
 * The province's departments and a realistic slice of the procedure catalogue (statutory working days
 * from domain.md and public procedure pages). Codes are in the national catalogue's format.
 */
export interface DepartmentSeed {
  code: string;
  name: string;
  unitCode: string;
  /** Registry name of its own system, if it has one. */
  system: string | null;
  /** New dossiers in April 2020: the report's three busiest, and the rest of the 1,752. */
  april: number;
}

export interface ProcedureSeed {
  code: string;
  name: string;
  departmentCode: string;
  workingDays: number;
  fee: number;
  /** Relative frequency within its department. */
  weight: number;
  /** The kind of result a department system records on approval. */
  detailKind?: string;
}

export const PROVINCE = { code: 'H56', idPrefix: '056', name: 'Khánh Hòa', plate: '79' };

const unit = (n: number) => `000.00.${String(n).padStart(2, '0')}.${PROVINCE.code}`;

export const DEPARTMENTS: DepartmentSeed[] = [
  { code: 'SGTVT', name: 'Sở Giao thông vận tải', unitCode: unit(16), system: 'transport', april: 515 },
  { code: 'CAT', name: 'Công an tỉnh', unitCode: unit(40), system: 'police', april: 305 },
  { code: 'SCT', name: 'Sở Công Thương', unitCode: unit(12), system: 'industry-trade', april: 246 },
  { code: 'STNMT', name: 'Sở Tài nguyên và Môi trường', unitCode: unit(17), system: null, april: 150 },
  { code: 'SKHDT', name: 'Sở Kế hoạch và Đầu tư', unitCode: unit(10), system: null, april: 140 },
  { code: 'STP', name: 'Sở Tư pháp', unitCode: unit(18), system: null, april: 110 },
  { code: 'SXD', name: 'Sở Xây dựng', unitCode: unit(15), system: null, april: 60 },
  { code: 'SLDTBXH', name: 'Sở Lao động - Thương binh và Xã hội', unitCode: unit(20), system: null, april: 55 },
  { code: 'SYT', name: 'Sở Y tế', unitCode: unit(21), system: null, april: 45 },
  { code: 'SVHTTDL', name: 'Sở Văn hóa, Thể thao và Du lịch', unitCode: unit(22), system: null, april: 25 },
  { code: 'SGDDT', name: 'Sở Giáo dục và Đào tạo', unitCode: unit(23), system: null, april: 20 },
  { code: 'SNNPTNT', name: 'Sở Nông nghiệp và Phát triển nông thôn', unitCode: unit(14), system: null, april: 18 },
  { code: 'STTTT', name: 'Sở Thông tin và Truyền thông', unitCode: unit(24), system: null, april: 12 },
  { code: 'SKHCN', name: 'Sở Khoa học và Công nghệ', unitCode: unit(19), system: null, april: 10 },
  { code: 'STC', name: 'Sở Tài chính', unitCode: unit(11), system: null, april: 10 },
  { code: 'BQLKKT', name: 'Ban Quản lý Khu kinh tế Vân Phong', unitCode: unit(30), system: null, april: 9 },
  { code: 'SNV', name: 'Sở Nội vụ', unitCode: unit(13), system: null, april: 8 },
  { code: 'SNGV', name: 'Sở Ngoại vụ', unitCode: unit(25), system: null, april: 6 },
  { code: 'BHXH', name: 'Bảo hiểm xã hội tỉnh', unitCode: unit(45), system: null, april: 5 },
  { code: 'BDT', name: 'Ban Dân tộc', unitCode: unit(26), system: null, april: 3 },
];

export const PROCEDURES: ProcedureSeed[] = [
  { code: '1.002820', name: 'Đổi giấy phép lái xe do ngành Giao thông vận tải cấp', departmentCode: 'SGTVT', workingDays: 5, fee: 135000, weight: 55, detailKind: 'DRIVING_LICENCE' },
  { code: '1.002809', name: 'Cấp lại giấy phép lái xe', departmentCode: 'SGTVT', workingDays: 10, fee: 135000, weight: 10, detailKind: 'DRIVING_LICENCE' },
  { code: '1.002861', name: 'Cấp Giấy phép kinh doanh vận tải bằng xe ô tô', departmentCode: 'SGTVT', workingDays: 5, fee: 0, weight: 10, detailKind: 'TRANSPORT_BUSINESS_LICENCE' },
  { code: '1.002856', name: 'Cấp phù hiệu xe taxi, xe hợp đồng, xe vận tải hàng hóa bằng công-ten-nơ, xe đầu kéo, xe ô tô vận tải hàng hóa, xe trung chuyển', departmentCode: 'SGTVT', workingDays: 2, fee: 0, weight: 25, detailKind: 'VEHICLE_BADGE' },
  { code: '1.003930', name: 'Đăng ký mẫu con dấu mới', departmentCode: 'CAT', workingDays: 3, fee: 50000, weight: 35, detailKind: 'SEAL_REGISTRATION' },
  { code: '1.003946', name: 'Đăng ký lại mẫu con dấu', departmentCode: 'CAT', workingDays: 3, fee: 20000, weight: 15, detailKind: 'SEAL_REGISTRATION' },
  { code: '1.004205', name: 'Cấp Giấy chứng nhận đủ điều kiện về an ninh, trật tự để làm ngành, nghề đầu tư kinh doanh có điều kiện', departmentCode: 'CAT', workingDays: 4, fee: 0, weight: 30, detailKind: 'SECURITY_ORDER' },
  { code: '2.001175', name: 'Đăng ký xe', departmentCode: 'CAT', workingDays: 2, fee: 150000, weight: 20, detailKind: 'VEHICLE_REGISTRATION' },
  { code: '2.000648', name: 'Cấp Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu', departmentCode: 'SCT', workingDays: 20, fee: 1200000, weight: 20, detailKind: 'PETROL_RETAIL_CERTIFICATE' },
  { code: '2.000204', name: 'Cấp lại Giấy chứng nhận đủ điều kiện trạm nạp LPG vào chai', departmentCode: 'SCT', workingDays: 7, fee: 1200000, weight: 15, detailKind: 'LPG_BOTTLING_CERTIFICATE' },
  { code: '2.000176', name: 'Cấp Giấy phép mua bán buôn sản phẩm thuốc lá', departmentCode: 'SCT', workingDays: 15, fee: 2500000, weight: 10, detailKind: 'TOBACCO_WHOLESALE_LICENCE' },
  { code: '2.000633', name: 'Cấp Giấy phép bán lẻ rượu', departmentCode: 'SCT', workingDays: 10, fee: 1200000, weight: 55, detailKind: 'PETROL_RETAIL_CERTIFICATE' },
  { code: '1.004227', name: 'Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất', departmentCode: 'STNMT', workingDays: 10, fee: 0, weight: 60 },
  { code: '1.004217', name: 'Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu', departmentCode: 'STNMT', workingDays: 30, fee: 100000, weight: 25 },
  { code: '1.001990', name: 'Cấp giấy phép khai thác, sử dụng nước mặt', departmentCode: 'STNMT', workingDays: 20, fee: 600000, weight: 15 },
  { code: '2.001610', name: 'Đăng ký thành lập doanh nghiệp tư nhân', departmentCode: 'SKHDT', workingDays: 3, fee: 50000, weight: 45 },
  { code: '2.002033', name: 'Đăng ký thay đổi nội dung đăng ký doanh nghiệp', departmentCode: 'SKHDT', workingDays: 3, fee: 50000, weight: 55 },
  { code: '2.000488', name: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam', departmentCode: 'STP', workingDays: 10, fee: 200000, weight: 90 },
  { code: '1.001877', name: 'Cấp lại Thẻ công chứng viên', departmentCode: 'STP', workingDays: 5, fee: 0, weight: 10 },
  { code: '1.009972', name: 'Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II', departmentCode: 'SXD', workingDays: 15, fee: 150000, weight: 70 },
  { code: '1.009994', name: 'Cấp chứng chỉ hành nghề hoạt động xây dựng', departmentCode: 'SXD', workingDays: 10, fee: 300000, weight: 30 },
  { code: '1.000459', name: 'Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam', departmentCode: 'SLDTBXH', workingDays: 5, fee: 600000, weight: 100 },
  { code: '1.002361', name: 'Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh', departmentCode: 'SYT', workingDays: 10, fee: 360000, weight: 60 },
  { code: '1.004616', name: 'Cấp Giấy chứng nhận đủ điều kiện kinh doanh dược', departmentCode: 'SYT', workingDays: 20, fee: 1500000, weight: 40 },
  { code: '1.001440', name: 'Cấp giấy phép kinh doanh dịch vụ lữ hành nội địa', departmentCode: 'SVHTTDL', workingDays: 10, fee: 3000000, weight: 100 },
  { code: '1.005092', name: 'Chỉnh sửa nội dung văn bằng, chứng chỉ', departmentCode: 'SGDDT', workingDays: 5, fee: 0, weight: 100 },
  { code: '1.003984', name: 'Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông, lâm, thủy sản', departmentCode: 'SNNPTNT', workingDays: 15, fee: 700000, weight: 100 },
  { code: '1.004494', name: 'Cấp giấy phép xuất bản bản tin', departmentCode: 'STTTT', workingDays: 10, fee: 0, weight: 100 },
  { code: '1.003573', name: 'Đăng ký hợp đồng chuyển giao công nghệ', departmentCode: 'SKHCN', workingDays: 7, fee: 1000000, weight: 100 },
  { code: '1.005431', name: 'Đăng ký mã số đơn vị có quan hệ với ngân sách', departmentCode: 'STC', workingDays: 2, fee: 0, weight: 100 },
  { code: '1.009345', name: 'Cấp Giấy chứng nhận đăng ký đầu tư', departmentCode: 'BQLKKT', workingDays: 15, fee: 0, weight: 100 },
  { code: '1.003918', name: 'Thủ tục thành lập hội', departmentCode: 'SNV', workingDays: 15, fee: 0, weight: 100 },
  { code: '1.002183', name: 'Cho phép tổ chức hội nghị, hội thảo quốc tế', departmentCode: 'SNGV', workingDays: 15, fee: 0, weight: 100 },
  { code: '1.000111', name: 'Cấp lại sổ bảo hiểm xã hội', departmentCode: 'BHXH', workingDays: 10, fee: 0, weight: 100 },
  { code: '2.002153', name: 'Công nhận người có uy tín trong đồng bào dân tộc thiểu số', departmentCode: 'BDT', workingDays: 10, fee: 0, weight: 100 },
];


/** The demo catalogue in the file's shape (demo/catalogue.file.json), without the generator's own fields. */
export function demoCatalogueFile(): CatalogueFile {
  return {
    departments: DEPARTMENTS.map(({ code, name, unitCode, system }) => ({ code, name, unitCode, system })),
    procedures: PROCEDURES.map(({ code, name, departmentCode, workingDays, fee }) => ({ code, name, departmentCode, workingDays, fee })),
    // The national days off ship with the system (kit/calendar/national-holidays.json): a province lists only its own.
    calendar: { holidays: [], workingDays: [] },
  };
}
